package dev.drain.core.internal;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Validate;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * Model-checks "begin racing drain completion" on {@link InflightCounter}: Lincheck explores
 * thread interleavings of requests and the start of closing, and every request that was counted
 * must see the drain still incomplete while it is in flight; completion happens exactly once.
 */
public class InflightCounterLincheckTest {

  private final AtomicInteger completions = new AtomicInteger();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final InflightCounter counter = new InflightCounter(completions::incrementAndGet);

  /**
   * A request: counted in, must not be missed by completion, counted out. It returns nothing:
   * whether a request that arrives while closing is still counted depends on what else is in
   * flight, which a sequential specification cannot express; the safety property is checked
   * inside the operation and after each scenario instead.
   */
  @Operation
  public void request() {
    if (!counter.enter()) {
      return;
    }
    if (completions.get() != 0) {
      throw new IllegalStateException("the drain completed while a counted request was in flight");
    }
    counter.exit();
  }

  /** The drain starts waiting for zero. */
  @Operation
  public void startClosing() {
    closing.set(true);
    counter.startClosing();
  }

  /** After every scenario: exactly one completion once closing started, none before. */
  @Validate
  public void completedExactlyOnce() {
    int expected = closing.get() ? 1 : 0;
    if (completions.get() != expected || counter.count() != 0) {
      throw new IllegalStateException("completions=" + completions.get() + " expected="
          + expected + " count=" + counter.count());
    }
  }

  @Test
  void beginRacingCompletionIsNeverMissed() {
    ModelCheckingOptions options = new ModelCheckingOptions()
        .iterations(20)
        .invocationsPerIteration(500)
        .threads(2)
        .actorsPerThread(3);
    assertThatCode(() -> LinChecker.check(InflightCounterLincheckTest.class, options))
        .doesNotThrowAnyException();
  }
}

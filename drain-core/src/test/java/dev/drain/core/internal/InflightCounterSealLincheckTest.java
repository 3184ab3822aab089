package dev.drain.core.internal;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.annotations.Validate;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * Model-checks begins and closes racing the seal of the striped count: Lincheck explores the
 * interleavings of requests that enter on one cell and leave on another, requests held open across
 * the seal and closed later on another thread, the seal itself and the start of closing. No
 * request may be lost or counted twice: after every scenario the exact count equals the requests
 * still held, and the drain completes exactly once if and only if closing started with none held.
 */
@Param(name = "cell", gen = IntGen.class, conf = "0:1")
public class InflightCounterSealLincheckTest {

  private final AtomicInteger completions = new AtomicInteger();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Integer> held = new ConcurrentLinkedQueue<>();
  private final InflightCounter counter = new InflightCounter(completions::incrementAndGet, 2);

  /**
   * A request that enters on one cell and leaves on another, as an async request does when
   * another thread completes it; while counted, the drain must not complete.
   *
   * @param in the cell it enters on
   * @param out the cell it leaves on
   */
  @Operation
  public void request(@Param(name = "cell") int in, @Param(name = "cell") int out) {
    if (!counter.enter(in)) {
      return;
    }
    if (completions.get() != 0) {
      throw new IllegalStateException("the drain completed while a counted request was in flight");
    }
    counter.exit(out);
  }

  /**
   * A request that enters and stays open, to be closed by {@link #closeHeld} on any thread.
   *
   * @param in the cell it enters on
   */
  @Operation
  public void open(@Param(name = "cell") int in) {
    if (counter.enter(in)) {
      held.add(in);
    }
  }

  /**
   * Closes one held request, if any, on a cell of its own choosing.
   *
   * @param out the cell it leaves on
   */
  @Operation
  public void closeHeld(@Param(name = "cell") int out) {
    if (held.poll() != null) {
      counter.exit(out);
    }
  }

  /** The drain starts: the count becomes exact. */
  @Operation
  public void seal() {
    counter.seal();
  }

  /** The drain stops accepting and waits for zero. */
  @Operation
  public void startClosing() {
    closing.set(true);
    counter.startClosing();
  }

  /** After every scenario: nothing lost, nothing counted twice, completion exactly when due. */
  @Validate
  public void countIsExact() {
    counter.seal();
    int open = held.size();
    int expected = closing.get() && open == 0 ? 1 : 0;
    if (counter.count() != open || completions.get() != expected) {
      throw new IllegalStateException("count=" + counter.count() + " held=" + open
          + " completions=" + completions.get() + " expected=" + expected);
    }
  }

  @Test
  void beginsAndClosesRacingTheSealAreCountedOnce() {
    ModelCheckingOptions options = new ModelCheckingOptions()
        .iterations(15)
        .invocationsPerIteration(400)
        .threads(3)
        .actorsPerThread(2);
    assertThatCode(() -> LinChecker.check(InflightCounterSealLincheckTest.class, options))
        .doesNotThrowAnyException();
  }
}

package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerControlTest {

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  @Test
  void pollUntilReturnsOnceTheConditionHolds() {
    AtomicInteger checks = new AtomicInteger();

    boolean settled =
        ServerControl.pollUntil(() -> checks.incrementAndGet() == 3, Duration.ofMinutes(1));

    assertThat(settled).isTrue();
    assertThat(checks).hasValue(3);
  }

  @Test
  void pollUntilGivesUpWhenTheBudgetRunsOut() {
    AtomicInteger checks = new AtomicInteger();
    long start = System.nanoTime();

    boolean settled =
        ServerControl.pollUntil(() -> checks.incrementAndGet() < 0, Duration.ofMillis(60));

    assertThat(settled).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(60));
    // pauses between checks: a busy loop would check hundreds of thousands of times
    assertThat(checks.get()).isBetween(2, 100);
  }

  @Test
  void pollUntilWithNoBudgetChecksOnce() {
    AtomicInteger checks = new AtomicInteger();

    assertThat(ServerControl.pollUntil(() -> checks.incrementAndGet() < 0, Duration.ZERO))
        .isFalse();
    assertThat(checks).hasValue(1);
  }

  @Test
  void pollUntilIsNotCutShortByAnInterruptAndKeepsIt() {
    AtomicInteger checks = new AtomicInteger();
    Thread.currentThread().interrupt();

    boolean settled =
        ServerControl.pollUntil(() -> checks.incrementAndGet() == 4, Duration.ofMinutes(1));

    assertThat(settled).isTrue();
    assertThat(checks).hasValue(4);
    assertThat(Thread.currentThread().isInterrupted()).isTrue();
  }

  @Test
  void pollUntilDoesNotSpinWhileTheCallerIsInterrupted() {
    AtomicInteger checks = new AtomicInteger();
    Thread.currentThread().interrupt();

    ServerControl.pollUntil(() -> checks.incrementAndGet() < 0, Duration.ofMillis(60));

    assertThat(checks.get()).isBetween(2, 100);
    assertThat(Thread.currentThread().isInterrupted()).isTrue();
  }
}

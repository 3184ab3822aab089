package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Delay, quiet period and the cap, on a manual clock. */
class PropagationTest {

  private final ManualClock clock = new ManualClock();
  private final Recorder recorder = new Recorder();

  private Drain drain(Duration delay, Duration quiet) {
    Drain drain = Drain.builder()
        .config(DrainConfig.builder().clock(clock).propagationDelay(delay).quietPeriod(quiet)
            .gracePeriod(Duration.ofSeconds(30)).safetyMargin(Duration.ofSeconds(2)).build())
        .listener(recorder)
        .build();
    drain.markReady();
    return drain;
  }

  private boolean stoppedAccepting() {
    return !recorder.of(DrainEvent.StopAccepting.class).isEmpty();
  }

  @Test
  void withoutNewRequestsStopsAcceptingRightAtTheDelay() {
    drain(Duration.ofSeconds(5), Duration.ofSeconds(1)).startDrain("SIGTERM");
    clock.advance(Duration.ofMillis(4999));
    assertThat(stoppedAccepting()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(stoppedAccepting()).isTrue();
  }

  @Test
  void requestsDuringTheDelayAreServedAndTheQuietPeriodRestartsOnEach() {
    Drain drain = drain(Duration.ofSeconds(5), Duration.ofSeconds(1));
    drain.startDrain("SIGTERM");
    clock.advance(Duration.ofMillis(4800));
    assertThat(drain.admit(RequestInfo.bodyless("GET", "/hello")).admitted()).isTrue();
    drain.begin(RequestInfo.bodyless("GET", "/hello")).close();

    clock.advance(Duration.ofMillis(200)); // delay over, last request 200 ms ago
    assertThat(stoppedAccepting()).isFalse();
    clock.advance(Duration.ofMillis(500));
    drain.begin(RequestInfo.bodyless("GET", "/hello")).close(); // at 5.5 s
    clock.advance(Duration.ofMillis(999));
    assertThat(stoppedAccepting()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(stoppedAccepting()).isTrue();
    assertThat(drain.completion().toCompletableFuture()).isCompleted();
    assertThat(drain.completion().toCompletableFuture().join().duration())
        .isEqualTo(Duration.ofMillis(6500));
  }

  @Test
  void steadyTrafficIsCappedAtHalfTheBudget() {
    Drain drain = drain(Duration.ofSeconds(2), Duration.ofSeconds(1));
    drain.startDrain("SIGTERM");
    for (int i = 0; i < 200 && !stoppedAccepting(); i++) {
      drain.begin(RequestInfo.bodyless("GET", "/hello")).close();
      clock.advance(Duration.ofMillis(100));
    }
    assertThat(stoppedAccepting()).isTrue();
    assertThat(drain.completion().toCompletableFuture().join().duration())
        .isEqualTo(Duration.ofSeconds(14));
  }

  @Test
  void stopAcceptingReportsWhatIsStillInFlight() {
    Drain drain = drain(Duration.ofSeconds(1), Duration.ZERO);
    Inflight slow = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    drain.startDrain("SIGTERM");
    clock.advance(Duration.ofSeconds(1));
    assertThat(recorder.of(DrainEvent.StopAccepting.class))
        .containsExactly(new DrainEvent.StopAccepting(1));
    assertThat(drain.completion().toCompletableFuture()).isNotDone();
    slow.close();
    assertThat(drain.completion().toCompletableFuture().join().duration())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aThrowingListenerIsLoggedAndTheDrainGoesOn() {
    Drain drain = drain(Duration.ZERO, Duration.ZERO);
    drain.addListener(e -> {
      throw new IllegalStateException("listener bug");
    });
    drain.startDrain("SIGTERM");
    clock.runDue();
    assertThat(drain.state()).isEqualTo(DrainState.DRAINED);
    assertThat(recorder.of(DrainEvent.Drained.class)).hasSize(1);
  }

  /**
   * The delay and the deadline count from the drain's start, not from when its timers were set:
   * a listener of the start (a log write in a cold JVM, an adapter's own work) that takes 100 ms
   * must not push the deadline towards the platform's SIGKILL.
   */
  @Test
  void aSlowStartListenerDoesNotMoveTheDelayOrTheDeadline() {
    Drain drain = drain(Duration.ofSeconds(5), Duration.ZERO);
    drain.addListener(e -> {
      if (e instanceof DrainEvent.StateChanged changed && changed.to() == DrainState.DRAINING) {
        clock.advance(Duration.ofMillis(100));
      }
    });
    Inflight upload = drain.begin(new RequestInfo("POST", "/upload", 50L << 20));
    drain.startDrain("SIGTERM");
    clock.advance(Duration.ofMillis(4899));
    assertThat(stoppedAccepting()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(stoppedAccepting()).isTrue();
    clock.advance(Duration.ofMillis(23_000));
    assertThat(drain.state()).isEqualTo(DrainState.DRAINED);
    assertThat(drain.completion().toCompletableFuture().join().duration())
        .isEqualTo(Duration.ofSeconds(28));
    upload.close();
  }
}

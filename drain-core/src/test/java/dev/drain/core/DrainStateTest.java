package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DrainStateTest {

  private final ManualClock clock = new ManualClock();
  private final Recorder recorder = new Recorder();

  private Drain drain(Duration delay) {
    return Drain.builder()
        .config(DrainConfig.builder().clock(clock).propagationDelay(delay)
            .quietPeriod(Duration.ZERO).build())
        .listener(recorder)
        .build();
  }

  @Nested
  class Transitions {

    @Test
    void startsNotReadyAndMarkReadyServesOnce() {
      Drain drain = drain(Duration.ZERO);
      assertThat(drain.state()).isEqualTo(DrainState.STARTING);
      assertThat(drain.isReady()).isFalse();

      assertThat(drain.markReady()).isTrue();
      assertThat(drain.markReady()).isFalse();

      assertThat(drain.isReady()).isTrue();
      assertThat(recorder.of(DrainEvent.StateChanged.class))
          .containsExactly(new DrainEvent.StateChanged(DrainState.STARTING, DrainState.SERVING,
              "ready"));
    }

    @Test
    void drainFlipsReadinessAtOnceAndCompletesWhenIdle() {
      Drain drain = drain(Duration.ofSeconds(5));
      drain.markReady();

      CompletionStage<DrainResult> stage = drain.startDrain("SIGTERM");

      assertThat(drain.isReady()).isFalse();
      assertThat(drain.isDraining()).isTrue();
      assertThat(drain.state()).isEqualTo(DrainState.DRAINING);
      clock.advance(Duration.ofMillis(4999));
      assertThat(stage.toCompletableFuture()).isNotDone();
      clock.advance(Duration.ofMillis(1));
      assertThat(stage.toCompletableFuture()).isCompletedWithValueMatching(DrainResult::clean);
      assertThat(drain.state()).isEqualTo(DrainState.DRAINED);
      assertThat(stage.toCompletableFuture().join().duration()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void drainFromStartingSkipsServingAndMarkReadyIsThenRefused() {
      Drain drain = drain(Duration.ZERO);
      drain.startDrain("preStop");
      assertThat(drain.markReady()).isFalse();
      assertThat(recorder.of(DrainEvent.StateChanged.class).get(0))
          .isEqualTo(new DrainEvent.StateChanged(DrainState.STARTING, DrainState.DRAINING,
              "preStop"));
    }

    @Test
    void secondStartDrainIsHarmlessAndReturnsTheSameStage() {
      Drain drain = drain(Duration.ofSeconds(1));
      drain.markReady();
      CompletionStage<DrainResult> first = drain.startDrain("SIGTERM");
      CompletionStage<DrainResult> second = drain.startDrain("SIGTERM again");
      clock.advance(Duration.ofSeconds(1));
      CompletionStage<DrainResult> third = drain.startDrain("after");

      assertThat((Object) second).isSameAs(first);
      assertThat((Object) third).isSameAs(first);
      assertThat(first.toCompletableFuture().join().reason()).isEqualTo("SIGTERM");
      assertThat(recorder.of(DrainEvent.Drained.class)).hasSize(1);
    }

    @Test
    void afterDrainedEverythingIsRefusedAndLateBeginsAreUntracked() {
      Drain drain = drain(Duration.ZERO);
      drain.markReady();
      drain.startDrain("test");
      clock.runDue();
      assertThat(drain.state()).isEqualTo(DrainState.DRAINED);

      Admission admission = drain.admit(RequestInfo.bodyless("GET", "/hello"));
      Inflight late = drain.begin(RequestInfo.bodyless("GET", "/hello"));
      late.close();

      assertThat(admission.admitted()).isFalse();
      assertThat(admission.reason()).startsWith("drained");
      assertThat(late.tracked()).isFalse();
      assertThat(drain.inflight()).isZero();
    }
  }

  @Test
  void sixteenThreadsStartingAtOnceMakeOneWinnerOneStageOneEvent() throws Exception {
    for (int round = 0; round < 50; round++) {
      Recorder events = new Recorder();
      Drain drain = Drain.builder()
          .config(DrainConfig.builder().clock(clock).propagationDelay(Duration.ofSeconds(1))
              .build())
          .listener(events)
          .build();
      drain.markReady();
      int threads = 16;
      CyclicBarrier barrier = new CyclicBarrier(threads);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<CompletionStage<DrainResult>>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          String reason = "thread-" + i;
          futures.add(pool.submit(() -> {
            barrier.await();
            return drain.startDrain(reason);
          }));
        }
        Set<CompletionStage<DrainResult>> stages = ConcurrentHashMap.newKeySet();
        for (Future<CompletionStage<DrainResult>> f : futures) {
          stages.add(f.get(10, TimeUnit.SECONDS));
        }
        assertThat(stages).hasSize(1);
        assertThat(events.of(DrainEvent.StateChanged.class).stream()
            .filter(e -> e.to() == DrainState.DRAINING)).hasSize(1);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void completionRunsOnTheThreadOfTheLastRequestWithoutPolling() throws Exception {
    Drain drain = drain(Duration.ZERO);
    drain.markReady();
    Inflight request = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    drain.startDrain("test");
    clock.runDue();
    assertThat(drain.completion().toCompletableFuture()).isNotDone();
    int tasksBefore = clock.pendingTasks();

    CountDownLatch closed = new CountDownLatch(1);
    Thread closer = new Thread(() -> {
      request.close();
      closed.countDown();
    });
    closer.start();
    assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(drain.completion().toCompletableFuture()).isCompletedWithValueMatching(
        DrainResult::clean);
    assertThat(tasksBefore).as("only the deadline and the stall check wait on the clock")
        .isEqualTo(2);
    assertThat(clock.pendingTasks()).as("timers are cancelled").isZero();
  }
}

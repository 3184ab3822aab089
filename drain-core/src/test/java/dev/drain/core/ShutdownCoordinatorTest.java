package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The coordinator in-process: order of calls, idempotence, a hanging server stop. */
class ShutdownCoordinatorTest {

  private static Drain drain(Duration grace) {
    Drain drain = Drain.builder()
        .config(DrainConfig.builder().gracePeriod(grace).safetyMargin(Duration.ofMillis(500))
            .propagationDelay(Duration.ofMillis(100)).quietPeriod(Duration.ZERO).build())
        .build();
    drain.markReady();
    return drain;
  }

  @Test
  void stopsAcceptingThenWaitsThenStopsTheServerOnce() throws Exception {
    Drain drain = drain(Duration.ofSeconds(5));
    List<String> calls = new CopyOnWriteArrayList<>();
    ShutdownCoordinator coordinator = ShutdownCoordinator.create(drain, new ServerControl() {
      @Override
      public void stopAccepting() {
        calls.add("stopAccepting inflight=" + drain.inflight());
      }

      @Override
      public void stop(Duration remaining) {
        calls.add("stop inflight=" + drain.inflight());
      }
    });
    Inflight request = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    drain.addListener(event -> {
      if (event instanceof DrainEvent.StopAccepting) {
        request.close();
      }
    });

    DrainResult first = coordinator.shutdown("test");
    DrainResult second = coordinator.shutdown("again");

    assertThat(calls).containsExactly("stopAccepting inflight=1", "stop inflight=0");
    assertThat(second).isSameAs(first);
    assertThat(first.clean()).isTrue();
  }

  @Test
  void aServerStopThatHangsDoesNotKeepTheProcessPastTheGracePeriod() {
    Drain drain = drain(Duration.ofSeconds(2));
    CountDownLatch never = new CountDownLatch(1);
    ShutdownCoordinator coordinator = ShutdownCoordinator.create(drain, new ServerControl() {
      @Override
      public void stop(Duration remaining) throws InterruptedException {
        never.await();
      }
    });

    long start = System.nanoTime();
    DrainResult result = coordinator.shutdown("test");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(result.clean()).isTrue();
    assertThat(took).isLessThan(Duration.ofSeconds(2)).isGreaterThan(Duration.ofMillis(100));
  }

  @Test
  void anInterruptDoesNotCutTheDrainShort() throws Exception {
    Drain drain = drain(Duration.ofSeconds(5));
    List<String> calls = new CopyOnWriteArrayList<>();
    ShutdownCoordinator coordinator = ShutdownCoordinator.create(drain, new ServerControl() {
      @Override
      public void stop(DrainResult result, Duration remaining) {
        calls.add("stop inflight=" + drain.inflight() + " deadline=" + result.deadlineReached());
      }
    });
    Inflight request = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    CountDownLatch stoppedAccepting = new CountDownLatch(1);
    drain.addListener(event -> {
      if (event instanceof DrainEvent.StopAccepting) {
        stoppedAccepting.countDown();
      }
    });
    CompletableFuture<DrainResult> returned = new CompletableFuture<>();
    AtomicBoolean interruptedAfter = new AtomicBoolean();
    Thread caller = new Thread(() -> {
      returned.complete(coordinator.shutdown("test"));
      interruptedAfter.set(Thread.currentThread().isInterrupted());
    });
    caller.start();
    assertThat(stoppedAccepting.await(5, TimeUnit.SECONDS)).isTrue();

    caller.interrupt();
    caller.join(300);
    assertThat(caller.isAlive()).as("still waiting for the request in flight").isTrue();
    assertThat(calls).isEmpty();

    request.close();
    DrainResult result = returned.get(5, TimeUnit.SECONDS);
    caller.join(5000);
    assertThat(result.clean()).isTrue();
    assertThat(result.deadlineReached()).isFalse();
    assertThat(calls).containsExactly("stop inflight=0 deadline=false");
    assertThat(interruptedAfter).as("interrupt status restored").isTrue();
    assertThat(drain.completion().toCompletableFuture().join()).isSameAs(result);
    assertThat(coordinator.shutdown("again")).isSameAs(result);
  }

  @Test
  void theServerStopLearnsThatTheDeadlineCutRequests() throws Exception {
    Drain drain = drain(Duration.ofSeconds(2));
    CompletableFuture<String> call = new CompletableFuture<>();
    ShutdownCoordinator coordinator = ShutdownCoordinator.create(drain, new ServerControl() {
      @Override
      public void stop(DrainResult result, Duration remaining) {
        call.complete("deadline=" + result.deadlineReached() + " cut=" + result.cutWithoutBody()
            + " remaining=" + remaining);
      }
    });
    drain.begin(RequestInfo.bodyless("GET", "/never-ends"));

    long start = System.nanoTime();
    DrainResult result = coordinator.shutdown("test");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(result.deadlineReached()).isTrue();
    // 500 ms are left after the 1.5 s drain budget: all of it is kept for the JVM's exit
    assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo("deadline=true cut=1 remaining=PT0S");
    assertThat(took).isLessThan(Duration.ofSeconds(2).minus(ShutdownCoordinator.EXIT_RESERVE)
        .plusMillis(100));
  }
}

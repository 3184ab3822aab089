package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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
}

package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The in-flight count stays exact under contention, whatever the order of closes. */
class ExactCountTest {

  private static final int THREADS = 8;
  private static final int OPS = 1_000_000;

  /** A ready drain with no delay and a long grace period that counts its Drained events. */
  private static Drain readyDrainCounting(AtomicInteger drained) {
    Drain drain = Drain.builder()
        .config(DrainConfig.builder().propagationDelay(Duration.ZERO).quietPeriod(Duration.ZERO)
            .gracePeriod(Duration.ofMinutes(5)).build())
        .listener(e -> {
          if (e instanceof DrainEvent.Drained) {
            drained.incrementAndGet();
          }
        })
        .build();
    drain.markReady();
    return drain;
  }

  @Test
  void eightThreadsTimesAMillionBeginCloseEndAtExactlyZeroAndDrainOnce() throws Exception {
    AtomicInteger drained = new AtomicInteger();
    Drain drain = readyDrainCounting(drained);
    RequestInfo get = RequestInfo.bodyless("GET", "/hello");
    RequestInfo post = new RequestInfo("POST", "/upload", 100);
    AtomicLong tracked = new AtomicLong();
    AtomicLong untracked = new AtomicLong();
    CountDownLatch halfway = new CountDownLatch(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long seed = t;
        futures.add(pool.submit(() -> {
          SplittableRandom random = new SplittableRandom(seed);
          Inflight held = null;
          for (int i = 0; i < OPS; i++) {
            if (i == OPS / 2) {
              halfway.countDown();
            }
            Inflight request = drain.begin(random.nextInt(16) == 0 ? post : get);
            (request.tracked() ? tracked : untracked).incrementAndGet();
            switch (random.nextInt(4)) {
              case 0 -> { // close now, then again
                request.close();
                request.close();
              }
              case 1 -> { // close the one held before, keep this one a while
                if (held != null) {
                  held.close();
                }
                held = request;
              }
              case 2 -> { // progress, then close
                request.onBytes(10);
                request.close();
              }
              default -> request.close();
            }
          }
          if (held != null) {
            held.close();
            held.close();
          }
          return null;
        }));
      }
      assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
      drain.startDrain("mid-run");
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(drain.inflight()).isZero();
    assertThat(drain.status().uploads()).isEmpty();
    DrainResult result = drain.completion().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(result.clean()).isTrue();
    assertThat(drained).hasValue(1);
    assertThat(tracked.get() + untracked.get()).isEqualTo((long) THREADS * OPS);
    assertThat(tracked.get()).isPositive();
  }

  /**
   * Requests end on other threads than the ones they began on (as async requests do), so every
   * cell of the striped count goes negative or positive on its own, and the drain's seal lands in
   * the middle of it: the sealed count must still end at exactly zero, with one Drained.
   */
  @Test
  void requestsClosedOnOtherThreadsAcrossTheSealEndAtExactlyZero() throws Exception {
    AtomicInteger drained = new AtomicInteger();
    Drain drain = readyDrainCounting(drained);
    RequestInfo get = RequestInfo.bodyless("GET", "/hello");
    ConcurrentLinkedQueue<Inflight> handedOver = new ConcurrentLinkedQueue<>();
    AtomicLong tracked = new AtomicLong();
    AtomicLong closedElsewhere = new AtomicLong();
    CountDownLatch halfway = new CountDownLatch(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long seed = 100 + t;
        futures.add(pool.submit(() -> {
          SplittableRandom random = new SplittableRandom(seed);
          for (int i = 0; i < OPS / 4; i++) {
            if (i == OPS / 8) {
              halfway.countDown();
            }
            Inflight request = drain.begin(get);
            if (request.tracked()) {
              tracked.incrementAndGet();
            }
            if (random.nextBoolean()) {
              handedOver.add(request);
            } else {
              request.close();
            }
            Inflight other = handedOver.poll();
            if (other != null) {
              other.close();
              closedElsewhere.incrementAndGet();
            }
          }
          return null;
        }));
      }
      assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
      drain.startDrain("mid-run");
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(drain.inflight()).isEqualTo(handedOver.size());
    for (Inflight left; (left = handedOver.poll()) != null; ) {
      left.close();
    }

    assertThat(drain.inflight()).isZero();
    DrainResult result = drain.completion().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(result.clean()).isTrue();
    assertThat(drained).hasValue(1);
    assertThat(tracked.get()).isPositive();
    assertThat(closedElsewhere.get()).isPositive();
  }
}

package dev.drain.benchmarks;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.Inflight;
import dev.drain.core.RequestInfo;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long a drain takes to notice that its last request ended: from the last in-flight close to
 * the drain's completion stage completing, sampled (p50, p99, max) against the baseline of a
 * shutdown that polls the count every 50 ms, as Spring Boot's Tomcat graceful shutdown does.
 *
 * <p>Each sample starts from a fresh drain that has stopped accepting and waits on one request;
 * the measured operation is that request's close and the wait for completion.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DrainLatencyBenchmark}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class DrainLatencyBenchmark {

  private static final RequestInfo GET = RequestInfo.bodyless("GET", "/hello");

  /** A drain waiting on its last request. */
  @State(Scope.Thread)
  public static class Library {
    Drain drain;
    Inflight last;

    /**
     * Builds a drain, begins one request, starts the drain and waits until it stopped accepting.
     *
     * @throws InterruptedException when interrupted
     */
    @Setup(Level.Invocation)
    public void arm() throws InterruptedException {
      CountDownLatch closing = new CountDownLatch(1);
      drain = Drain.builder()
          .config(DrainConfig.builder().propagationDelay(Duration.ZERO)
              .quietPeriod(Duration.ZERO).gracePeriod(Duration.ofMinutes(1)).build())
          .listener(e -> {
            if (e instanceof DrainEvent.StopAccepting) {
              closing.countDown();
            }
          })
          .build();
      drain.markReady();
      last = drain.begin(GET);
      drain.startDrain("benchmark");
      if (!closing.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the drain did not stop accepting");
      }
    }
  }

  /** The baseline: a count polled every 50 ms by a scheduled task. */
  @State(Scope.Thread)
  public static class Polling {
    final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
    final AtomicLong inflight = new AtomicLong();
    CompletableFuture<Void> done;
    ScheduledFuture<?> task;

    /**
     * Counts one request in and starts polling for zero every 50 ms, at a random phase to the
     * close, as a shutdown loop that began at some earlier moment is.
     */
    @Setup(Level.Invocation)
    public void arm() {
      inflight.set(1);
      CompletableFuture<Void> future = new CompletableFuture<>();
      done = future;
      long period = TimeUnit.MILLISECONDS.toMicros(50);
      task = poller.scheduleWithFixedDelay(() -> {
        if (inflight.get() == 0) {
          future.complete(null);
        }
      }, ThreadLocalRandom.current().nextLong(period), period, TimeUnit.MICROSECONDS);
    }

    /** Stops this sample's poll. */
    @TearDown(Level.Invocation)
    public void disarm() {
      task.cancel(false);
    }

    /** Stops the poller thread. */
    @TearDown(Level.Trial)
    public void stop() {
      poller.shutdownNow();
    }
  }

  /**
   * The library: the last close completes the drain.
   *
   * @param state the armed drain
   * @return whether the drain ended clean
   * @throws Exception when the drain does not complete
   */
  @Benchmark
  public boolean lastCloseToDrained(Library state) throws Exception {
    state.last.close();
    return state.drain.completion().toCompletableFuture().get(10, TimeUnit.SECONDS).clean();
  }

  /**
   * Baseline: the last close is noticed by the next 50 ms poll.
   *
   * @param state the armed poll
   * @return the completed future, so it is not dead code
   * @throws Exception when the poll does not complete
   */
  @Benchmark
  public Object lastCloseToPolledZero(Polling state) throws Exception {
    state.inflight.decrementAndGet();
    return state.done.get(10, TimeUnit.SECONDS);
  }
}

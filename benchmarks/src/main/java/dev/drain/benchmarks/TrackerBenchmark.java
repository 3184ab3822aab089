package dev.drain.benchmarks;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.Inflight;
import dev.drain.core.RequestInfo;
import dev.drain.core.ReusableInflight;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot path of every request: begin and close of a bodyless request, against two baselines
 * measured side by side in one run: a bare {@link AtomicLong} increment and decrement (what any
 * single shared exact count costs) and a {@link LongAdder} pair (what striping costs).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TrackerBenchmark -t 1 -prof gc} and
 * again with {@code -t 2}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TrackerBenchmark {

  private static final RequestInfo GET = RequestInfo.bodyless("GET", "/hello");

  private Drain drain;
  private Drain draining;
  private final AtomicLong counter = new AtomicLong();
  private final LongAdder adder = new LongAdder();

  /** Builds a serving drain. */
  @Setup
  public void setUp() {
    drain = Drain.builder()
        .config(DrainConfig.builder().propagationDelay(Duration.ZERO).build())
        .build();
    drain.markReady();
    draining = Drain.builder()
        .config(DrainConfig.builder().propagationDelay(Duration.ofHours(1))
            .gracePeriod(Duration.ofHours(2)).build())
        .build();
    draining.markReady();
    draining.startDrain("benchmark");
  }

  /**
   * Baseline: what any exact in-flight count costs at least.
   *
   * @return the counter after the pair, so it is not dead code
   */
  @Benchmark
  public long atomicLongPair() {
    counter.incrementAndGet();
    return counter.decrementAndGet();
  }

  /**
   * Baseline: a striped count, which is not exact while it changes (the adds are writes to shared
   * state, so they are not dead code).
   */
  @Benchmark
  public void longAdderPair() {
    adder.increment();
    adder.decrement();
  }

  /**
   * The library while draining: the count is exact, so it is one shared word again.
   *
   * @return whether it was tracked, so it is not dead code
   */
  @Benchmark
  public boolean beginCloseWhileDraining() {
    Inflight request = draining.begin(GET);
    request.close();
    return request.tracked();
  }

  /**
   * The library: begin and close of a bodyless request.
   *
   * @return whether it was tracked, so it is not dead code
   */
  @Benchmark
  public boolean beginClose() {
    Inflight request = drain.begin(GET);
    request.close();
    return request.tracked();
  }

  /**
   * The library, for adapters that own a connection: the handle is re-armed, not allocated.
   * Each benchmark thread has its own handle (its connection) on the shared drain.
   *
   * @param perThread the calling thread's own connection handle
   * @return whether it was tracked, so it is not dead code
   */
  @Benchmark
  public boolean reusableBeginClose(PerThread perThread) {
    Inflight request = perThread.connection.begin(GET);
    request.close();
    return request.tracked();
  }

  /** One connection handle per benchmark thread, on the shared drain. */
  @State(Scope.Thread)
  public static class PerThread {
    ReusableInflight connection;

    /**
     * Opens the thread's connection handle.
     *
     * @param shared the benchmark state holding the drain
     */
    @Setup
    public void setUp(TrackerBenchmark shared) {
      connection = shared.drain.newReusableInflight();
    }
  }
}

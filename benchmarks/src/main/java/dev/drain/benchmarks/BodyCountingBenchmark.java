package dev.drain.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A 50 MB upload read by a servlet with a 64 KiB buffer, on a real Jetty on loopback: through
 * {@link dev.drain.servlet.DrainFilter}'s counting stream (and Jetty's own byte count, which the
 * library reads) against the raw stream of the identical plain server. The two run at the same
 * time, one thread each in one JMH group, so that drift and noise hit both alike.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar BodyCountingBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(3)
public class BodyCountingBenchmark {

  private static final int CHUNK = 1024 * 1024;
  private static final int CHUNKS = 50;

  private final byte[] chunk = new byte[CHUNK];
  JettyPair servers;
  LoopbackClient plain;
  LoopbackClient filtered;

  /**
   * Starts both servers and connects to each.
   *
   * @throws Exception when a server cannot start
   */
  @Setup
  public void start() throws Exception {
    ThreadLocalRandom.current().nextBytes(chunk);
    servers = new JettyPair();
    plain = new LoopbackClient(JettyPair.port(servers.plain));
    filtered = new LoopbackClient(JettyPair.port(servers.filtered));
  }

  /**
   * Stops both servers; the filtered one must have counted every upload out.
   *
   * @throws Exception when a server cannot stop or an upload is still counted
   */
  @TearDown
  public void stop() throws Exception {
    long left = servers.drain.inflight();
    plain.close();
    filtered.close();
    servers.close();
    if (left != 0) {
      throw new IllegalStateException("uploads still counted in flight: " + left);
    }
  }

  /**
   * Baseline: the raw servlet stream.
   *
   * @return the response length
   * @throws Exception on a failed upload
   */
  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  public long rawStream() throws Exception {
    return plain.post("/upload", chunk, CHUNKS);
  }

  /**
   * The same upload through the counting stream.
   *
   * @return the response length
   * @throws Exception on a failed upload
   */
  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  public long countingStream() throws Exception {
    return filtered.post("/upload", chunk, CHUNKS);
  }
}

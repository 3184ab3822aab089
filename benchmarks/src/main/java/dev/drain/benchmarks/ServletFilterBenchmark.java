package dev.drain.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * A real Jetty request on loopback, with and without {@link dev.drain.servlet.DrainFilter}: each
 * benchmark thread sends {@code GET /hello} over its own keep-alive connection to the plain server
 * or to the identical one with the filter. The two run at the same time, one thread each in one
 * JMH group, so that the machine's drift and noise hit both alike; each reports its own score.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ServletFilterBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class ServletFilterBenchmark {

  private static final byte[] GET = LoopbackClient.getRequest("/hello");

  JettyPair servers;

  /**
   * Starts both servers.
   *
   * @throws Exception when a server cannot start
   */
  @Setup
  public void start() throws Exception {
    servers = new JettyPair();
  }

  /**
   * Stops both servers; the filtered one must have counted every request out.
   *
   * @throws Exception when a server cannot stop or a request is still counted
   */
  @TearDown
  public void stop() throws Exception {
    long left = servers.drain.inflight();
    servers.close();
    if (left != 0) {
      throw new IllegalStateException("requests still counted in flight: " + left);
    }
  }

  /**
   * Baseline: plain Jetty.
   *
   * @param connections the thread's connections
   * @return the body length
   * @throws Exception on a failed request
   */
  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  public long plain(Connections connections) throws Exception {
    return connections.plain.get(GET);
  }

  /**
   * The same request through {@code DrainFilter}.
   *
   * @param connections the thread's connections
   * @return the body length
   * @throws Exception on a failed request
   */
  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  public long withDrainFilter(Connections connections) throws Exception {
    return connections.filtered.get(GET);
  }

  /** One keep-alive connection per server and benchmark thread. */
  @State(Scope.Thread)
  public static class Connections {
    LoopbackClient plain;
    LoopbackClient filtered;

    /**
     * Connects to both servers.
     *
     * @param shared the servers
     * @throws Exception when a connection fails
     */
    @Setup(Level.Trial)
    public void connect(ServletFilterBenchmark shared) throws Exception {
      plain = new LoopbackClient(JettyPair.port(shared.servers.plain));
      filtered = new LoopbackClient(JettyPair.port(shared.servers.filtered));
    }

    /**
     * Closes both connections.
     *
     * @throws Exception when closing fails
     */
    @TearDown(Level.Trial)
    public void close() throws Exception {
      plain.close();
      filtered.close();
    }
  }
}

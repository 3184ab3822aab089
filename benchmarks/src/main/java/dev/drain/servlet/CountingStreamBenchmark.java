package dev.drain.servlet;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.Inflight;
import dev.drain.core.RequestInfo;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a 50 MB body with a 64 KiB buffer through {@code DrainFilter}'s counting stream (each
 * read reported to a tracked upload) against the raw stream, in one process, so that only the
 * wrapper differs. The source stream copies its bytes out of a 1 MiB array as a server copies
 * them out of its network buffers; it delivers at most 16 KiB per read, as Jetty does. The two
 * run at the same time, one thread each in one JMH group, so that drift hits both alike.
 * {@code BodyCountingBenchmark} measures the same on a real Jetty over loopback.
 *
 * <p>In package {@code dev.drain.servlet} because the counting stream is not public API.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CountingStreamBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(3)
public class CountingStreamBenchmark {

  private static final long BODY = 50L * 1024 * 1024;
  private static final RequestInfo UPLOAD = new RequestInfo("POST", "/upload", BODY);

  private final byte[] source = new byte[1024 * 1024];
  private final byte[] buffer = new byte[64 * 1024];
  private Drain drain;

  /** Fills the source and builds a serving drain. */
  @Setup
  public void setUp() {
    ThreadLocalRandom.current().nextBytes(source);
    drain = Drain.builder()
        .config(DrainConfig.builder().propagationDelay(Duration.ZERO).build())
        .build();
    drain.markReady();
  }

  /**
   * Baseline: the raw stream.
   *
   * @return the bytes read
   * @throws IOException never
   */
  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  public long rawStream() throws IOException {
    return drainStream(new ArrayBody(source, BODY));
  }

  /**
   * The counting stream, on a tracked upload that is closed at the end.
   *
   * @return the bytes read
   * @throws IOException never
   */
  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  public long countingStream() throws IOException {
    try (Inflight upload = drain.begin(UPLOAD)) {
      return drainStream(new CountingInputStream(new ArrayBody(source, BODY), upload));
    }
  }

  private long drainStream(ServletInputStream in) throws IOException {
    long total = 0;
    for (int n; (n = in.read(buffer, 0, buffer.length)) >= 0; ) {
      total += n;
    }
    return total;
  }

  /** A body of {@code length} bytes copied out of {@code source}, at most 16 KiB per read. */
  static final class ArrayBody extends ServletInputStream {
    private static final int MAX_READ = 16 * 1024;
    private final byte[] source;
    private long left;
    private int position;

    ArrayBody(byte[] source, long length) {
      this.source = source;
      this.left = length;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(Math.min(len, MAX_READ), Math.min(left, source.length - position));
      System.arraycopy(source, position, b, off, n);
      position = (position + n) % source.length;
      left -= n;
      return n;
    }

    @Override
    public int read() {
      if (left == 0) {
        return -1;
      }
      left--;
      int b = source[position] & 0xff;
      position = (position + 1) % source.length;
      return b;
    }

    @Override
    public boolean isFinished() {
      return left == 0;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      throw new UnsupportedOperationException("blocking reads only");
    }
  }
}

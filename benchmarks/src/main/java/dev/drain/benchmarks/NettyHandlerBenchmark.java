package dev.drain.benchmarks;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.netty.NettyDrain;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * A keep-alive HTTP/1.1 connection's pipeline on Netty 4.2, request bytes in and response bytes
 * out, with and without {@link dev.drain.netty.DrainHandler} after {@code HttpServerCodec}: the
 * codec and a responder are the baseline. The two run at the same time, one thread each in one
 * JMH group, each on its own {@link EmbeddedChannel}. {@code plainAlone} and {@code
 * withDrainHandlerAlone} run the same one at a time, for {@code -prof gc} to show what the
 * handler allocates per bodyless request beyond Netty's own.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar NettyHandlerBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class NettyHandlerBenchmark {

  private static final byte[] REQUEST = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      .getBytes(StandardCharsets.US_ASCII);

  /** One connection: its pipeline, fed one request at a time. */
  @State(Scope.Thread)
  public abstract static class Connection {
    EmbeddedChannel channel;
    ByteBuf request;

    /**
     * Feeds one request and drains the response.
     *
     * @return the response bytes, so the work is not dead code
     */
    int exchange() {
      channel.writeInbound(request.retainedDuplicate());
      int bytes = 0;
      for (Object out; (out = channel.readOutbound()) != null; ) {
        bytes += ((ByteBuf) out).readableBytes();
        ReferenceCountUtil.release(out);
      }
      return bytes;
    }

    /** Releases the connection. */
    @TearDown
    public void close() {
      request.release();
      channel.finishAndReleaseAll();
    }
  }

  /** The baseline: codec and responder. */
  public static class Plain extends Connection {
    /** Builds the pipeline. */
    @Setup
    public void open() {
      request = Unpooled.directBuffer().writeBytes(REQUEST);
      channel = new EmbeddedChannel(new HttpServerCodec(), new Hello());
    }
  }

  /** The same with a handler after the codec that only passes reads and writes on. */
  public static class PassThrough extends Connection {
    /** Builds the pipeline. */
    @Setup
    public void open() {
      request = Unpooled.directBuffer().writeBytes(REQUEST);
      channel = new EmbeddedChannel(new HttpServerCodec(), new io.netty.channel.ChannelDuplexHandler() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg,
            io.netty.channel.ChannelPromise promise) {
          ctx.write(msg, promise);
        }
      }, new Hello());
    }
  }

  /** The same with the library's handler after the codec. */
  public static class Drained extends Connection {
    Drain drain;

    /** Builds the pipeline on a serving drain. */
    @Setup
    public void open() {
      drain = Drain.builder()
          .config(DrainConfig.builder().propagationDelay(Duration.ZERO).build()).build();
      drain.markReady();
      request = Unpooled.directBuffer().writeBytes(REQUEST);
      channel = new EmbeddedChannel(new HttpServerCodec(), NettyDrain.create(drain).newHandler(),
          new Hello());
    }

    /** Checks the count came back to zero. */
    @TearDown
    public void check() {
      if (drain.inflight() != 0) {
        throw new IllegalStateException("still counted in flight: " + drain.inflight());
      }
    }
  }

  /**
   * Baseline.
   *
   * @param connection the thread's connection
   * @return the response bytes
   */
  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  public int plain(Plain connection) {
    return connection.exchange();
  }

  /**
   * With {@code DrainHandler}.
   *
   * @param connection the thread's connection
   * @return the response bytes
   */
  @Benchmark
  @Group("sideBySide")
  @GroupThreads(1)
  public int withDrainHandler(Drained connection) {
    return connection.exchange();
  }

  /**
   * Baseline alone, for its allocation per request ({@code -prof gc} reports a group's
   * allocation only as a whole).
   *
   * @param connection the thread's connection
   * @return the response bytes
   */
  @Benchmark
  public int plainAlone(Plain connection) {
    return connection.exchange();
  }

  /**
   * A pass-through handler in the same place, alone: what any extra handler costs.
   *
   * @param connection the thread's connection
   * @return the response bytes
   */
  @Benchmark
  public int passThroughAlone(PassThrough connection) {
    return connection.exchange();
  }

  /**
   * With {@code DrainHandler}, alone, for its allocation per request.
   *
   * @param connection the thread's connection
   * @return the response bytes
   */
  @Benchmark
  public int withDrainHandlerAlone(Drained connection) {
    return connection.exchange();
  }

  /** Answers every request with {@code hello}. */
  static final class Hello extends ChannelInboundHandlerAdapter {
    private static final ByteBuf BODY = Unpooled.unreleasableBuffer(
        Unpooled.directBuffer().writeBytes("hello".getBytes(StandardCharsets.US_ASCII)));

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK, BODY.duplicate());
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
        ctx.writeAndFlush(response);
      }
      ReferenceCountUtil.release(msg);
    }
  }
}

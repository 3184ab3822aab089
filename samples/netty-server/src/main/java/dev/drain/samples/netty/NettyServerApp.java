package dev.drain.samples.netty;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainResult;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.netty.NettyDrain;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The samples' HTTP surface on plain Netty 4.2, HTTP/1.1 and h2c (prior knowledge and upgrade):
 * {@code GET /hello}, streamed {@code POST /upload}, {@code /readyz}, {@code /drainz}.
 *
 * <p>Arguments: {@code --server.port=N} (0 picks a free port), {@code --server.address=A},
 * {@code --server.idle-timeout=75s}, {@code --drain.<property>=<value>} as in Spring, and {@code
 * --drain.enabled=false} for the baseline: the same server stopped the way Netty's examples do
 * on SIGTERM ({@code shutdownGracefully()} of its event loop groups), without the library.
 * Prints {@code LISTENING port=N} once it serves.
 */
public final class NettyServerApp {

  private NettyServerApp() {}

  /**
   * Starts the server.
   *
   * @param args the arguments
   * @throws Exception when it cannot start
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> props = parse(args);
    boolean enabled = Boolean.parseBoolean(props.getOrDefault("drain.enabled", "true"));
    Map<String, String> drainProps = new LinkedHashMap<>(props);
    drainProps.putIfAbsent("drain.server-idle-timeout",
        props.getOrDefault("server.idle-timeout", "75s"));
    DrainConfig config = DrainConfig.fromProperties(drainProps);
    // Above nginx's and Kong's 60 s upstream keep-alive, so the proxy closes idle connections.
    long idleMillis = config.serverIdleTimeout().orElseThrow().toMillis();
    // Printed to stdout: the JDK's logging is reset by its own shutdown hook while we drain.
    Drain drain = enabled
        ? Drain.builder().config(config).listener(NettyServerApp::print).build() : null;
    NettyDrain nettyDrain = enabled ? NettyDrain.create(drain) : null;

    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    Channel server = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                new CloseWhenIdle(), h2c(nettyDrain));
            if (nettyDrain != null) {
              ch.pipeline().addLast(nettyDrain.newHandler());
            }
            ch.pipeline().addLast(new HttpServerExpectContinueHandler(),
                new SampleHandler(nettyDrain == null));
          }
        })
        .bind(new InetSocketAddress(props.getOrDefault("server.address", "127.0.0.1"),
            Integer.parseInt(props.getOrDefault("server.port", "8080"))))
        .sync().channel();

    if (enabled) {
      ShutdownCoordinator.install(drain,
          nettyDrain.serverControl(List.of(server), boss, workers));
      drain.markReady();
    } else {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        boss.shutdownGracefully().syncUninterruptibly();
        workers.shutdownGracefully().syncUninterruptibly();
      }, "netty-shutdown"));
    }
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    System.out.println("LISTENING port=" + port + " drain=" + enabled);
    System.out.flush();
    server.closeFuture().sync();
    workers.terminationFuture().sync();
  }

  /** HTTP/1.1, or HTTP/2 by prior knowledge or by an h2c upgrade. */
  private static ChannelHandler h2c(NettyDrain nettyDrain) {
    HttpServerCodec codec = new HttpServerCodec();
    HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, protocol ->
        AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
            ? new Http2ServerUpgradeCodec(Http2FrameCodecBuilder.forServer().build(),
                http2Handlers(nettyDrain))
            : null, 64 * 1024);
    return new CleartextHttp2ServerUpgradeHandler(codec, upgrade,
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            // The client spoke HTTP/2 first: the HTTP/1.1 handlers behind would swallow its
            // frames, so they go, and the HTTP/2 handlers take the place of this initializer.
            ChannelPipeline pipeline = ch.pipeline();
            pipeline.remove(HttpServerExpectContinueHandler.class);
            pipeline.remove(SampleHandler.class);
            // in order: each HTTP/2 handler looks for the frame codec ahead of it when added
            String previous = pipeline.context(this).name();
            pipeline.addAfter(previous, "h2-codec", Http2FrameCodecBuilder.forServer().build());
            previous = "h2-codec";
            for (ChannelHandler handler : http2Handlers(nettyDrain)) {
              pipeline.addAfter(previous, null, handler);
              previous = pipeline.context(handler).name();
            }
          }
        });
  }

  /** After the HTTP/2 frame codec: the drain's GOAWAY handler, then one channel per stream. */
  private static ChannelHandler[] http2Handlers(NettyDrain nettyDrain) {
    List<ChannelHandler> handlers = new ArrayList<>();
    if (nettyDrain != null) {
      handlers.add(nettyDrain.newHttp2Handler());
    }
    handlers.add(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        ChannelPipeline pipeline = stream.pipeline();
        pipeline.addLast(new Http2StreamFrameToHttpObjectCodec(true));
        if (nettyDrain != null) {
          pipeline.addLast(nettyDrain.newStreamHandler());
        }
        pipeline.addLast(new HttpServerExpectContinueHandler(),
            new SampleHandler(nettyDrain == null));
      }
    }));
    return handlers.toArray(ChannelHandler[]::new);
  }

  /** Closes a connection that saw no traffic for the idle timeout. */
  private static final class CloseWhenIdle extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }
  }

  private static void print(DrainEvent event) {
    String line;
    if (event instanceof DrainEvent.StateChanged changed) {
      line = "DRAIN " + changed.from() + " -> " + changed.to() + " (" + changed.reason() + ")";
    } else if (event instanceof DrainEvent.Drained drained) {
      DrainResult result = drained.result();
      line = "DRAIN done in " + result.duration().toMillis() + " ms, "
          + (result.clean() ? "nothing cut" : "cut: " + result.cut() + " + "
              + result.cutWithoutBody() + " bodyless")
          + ", uploadsAdmitted=" + result.admittedUploads() + " refused=" + result.refused();
    } else {
      line = "DRAIN " + event;
    }
    System.out.println(line);
    System.out.flush();
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> props = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
      }
      props.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    return props;
  }
}

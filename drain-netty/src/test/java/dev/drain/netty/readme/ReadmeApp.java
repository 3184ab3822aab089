package dev.drain.netty.readme;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.netty.NettyDrain;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

public final class ReadmeApp {

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    Drain drain = Drain.builder()
        .config(DrainConfig.fromProperties(Map.of(          // or DrainConfig.builder()
            "drain.propagation-delay", "5s", "drain.grace-period", "30s")))
        .listener(event -> {                                 // every drain event, as it happens
          if (event instanceof DrainEvent.Drained drained) {
            System.out.println("drained: " + drained.result());
          }
        })
        .build();
    NettyDrain nettyDrain = NettyDrain.create(drain);        // answers /readyz and /drainz
    EventLoopGroup boss = new NioEventLoopGroup(1);
    EventLoopGroup workers = new NioEventLoopGroup();
    Channel server = new ServerBootstrap().group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {     // the drain's handler right after
            ch.pipeline().addLast(new HttpServerCodec(),     // the codec, before any aggregator
                nettyDrain.newHandler(), new HttpServerExpectContinueHandler(), new App());
          }
        })
        .bind(port).sync().channel();
    // On SIGTERM: readiness off, serve through the propagation delay, close the listener and
    // idle connections, wait for requests in flight, then shut the groups down; all before the
    // grace period ends.
    ShutdownCoordinator coordinator =
        ShutdownCoordinator.install(drain, nettyDrain.serverControl(List.of(server), boss, workers));
    drain.markReady();
    System.out.println("listening on " + server.localAddress());
    // Not server.closeFuture().sync() with shutdownGracefully() in a finally block: the server
    // channel closes when the drain stops accepting, long before the requests in flight end.
    coordinator.awaitTermination();
  }

  /** Answers every request once its body, if any, has arrived: how many bytes it had. */
  static final class App extends SimpleChannelInboundHandler<HttpObject> {
    private long bytes;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpContent content) {
        bytes += content.content().readableBytes();
      }
      if (msg instanceof LastHttpContent) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK, Unpooled.copiedBuffer(bytes + "\n", StandardCharsets.UTF_8));
        HttpUtil.setContentLength(response, response.content().readableBytes());
        bytes = 0;
        ctx.writeAndFlush(response);
      }
    }
  }
}

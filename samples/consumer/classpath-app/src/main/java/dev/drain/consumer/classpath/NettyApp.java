package dev.drain.consumer.classpath;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.netty.NettyDrain;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code GET /hello} and {@code GET /slow?ms=N} on Netty 4.2, drained on SIGTERM. Arguments are
 * {@code --drain.<property>=<value>}. Prints {@code LISTENING port=N} with the modules the
 * library was loaded from, {@code SLOW started} when a slow request begins and the drain's
 * events.
 */
public final class NettyApp {

  private NettyApp() {}

  /**
   * Starts the service.
   *
   * @param args {@code --drain.<property>=<value>} settings
   * @throws Exception when it cannot start
   */
  public static void main(String[] args) throws Exception {
    DrainConfig config = DrainConfig.fromProperties(Arrays.stream(args)
        .map(arg -> arg.substring(2).split("=", 2))
        .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1])));
    Drain drain = Drain.builder().config(config).listener(NettyApp::print).build();
    NettyDrain nettyDrain = NettyDrain.create(drain);

    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    Channel server = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), nettyDrain.newHandler(),
                new HttpObjectAggregator(1 << 20), new AppHandler());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    ShutdownCoordinator.install(drain, nettyDrain.serverControl(List.of(server), boss, workers));
    drain.markReady();

    System.out.println("LISTENING port=" + ((InetSocketAddress) server.localAddress()).getPort()
        + " core=" + Drain.class.getModule().getName()
        + " adapter=" + NettyDrain.class.getModule().getName()
        + " app=" + NettyApp.class.getModule().getName());
    server.closeFuture().sync();
    workers.terminationFuture().sync();
  }

  private static void print(DrainEvent event) {
    // stdout, not logging: the JDK resets its logging in its own shutdown hook.
    if (event instanceof DrainEvent.Drained drained) {
      System.out.println("DRAINED clean=" + drained.result().clean()
          + " reason=" + drained.result().reason()
          + " cut=" + (drained.result().cut().size() + drained.result().cutWithoutBody()));
    } else {
      System.out.println("DRAIN " + event);
    }
  }

  /** The application's own handler. */
  private static final class AppHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if ("/slow".equals(uri.path())) {
        System.out.println("SLOW started");
        long millis = Long.parseLong(uri.parameters().get("ms").get(0));
        ctx.executor().schedule(() -> respond(ctx, keepAlive, "slow"), millis,
            TimeUnit.MILLISECONDS);
      } else {
        respond(ctx, keepAlive, "hello");
      }
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, String body) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.OK, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      HttpUtil.setContentLength(response, response.content().readableBytes());
      HttpUtil.setKeepAlive(response, keepAlive);
      if (keepAlive) {
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}

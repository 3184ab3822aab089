package dev.drain.netty.readme;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.netty.NettyDrain;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import java.util.List;
import java.util.Map;

/** {@link ReadmeApp} ending the way Netty's examples end; for the test of that mistake. */
public final class ReadmeAppWithFinally {

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
    try {
      Channel server = new ServerBootstrap().group(boss, workers)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), nettyDrain.newHandler(),
                  new HttpServerExpectContinueHandler(), new ReadmeApp.App());
            }
          })
          .bind(port).sync().channel();
      ShutdownCoordinator.install(drain,
          nettyDrain.serverControl(List.of(server), boss, workers));
      drain.markReady();
      System.out.println("listening on " + server.localAddress());
      server.closeFuture().sync();
    } finally {
      workers.shutdownGracefully();
      boss.shutdownGracefully();
    }
  }
}

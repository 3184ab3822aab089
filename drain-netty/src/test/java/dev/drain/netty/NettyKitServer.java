package dev.drain.netty;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.test.KitServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Starts the kit's application on a real Netty server, on 127.0.0.1 and a port the OS picks. */
final class NettyKitServer {

  private NettyKitServer() {}

  @SuppressWarnings("deprecation") // NioEventLoopGroup: the API both Netty 4.1 and 4.2 have
  static KitServer start(DrainConfig config) throws InterruptedException {
    Drain drain = Drain.builder().config(config).build();
    NettyDrain nettyDrain = NettyDrain.create(drain);
    AtomicLong uploadBytes = new AtomicLong();
    ScheduledExecutorService worker = Executors.newScheduledThreadPool(2);
    EventLoopGroup boss = new NioEventLoopGroup(1);
    EventLoopGroup workers = new NioEventLoopGroup(2);
    Channel server = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), nettyDrain.newHandler(),
                new HttpServerExpectContinueHandler(), new KitApp(drain, uploadBytes, worker));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    ShutdownCoordinator coordinator = ShutdownCoordinator.create(drain,
        nettyDrain.serverControl(List.of(server), boss, workers));
    drain.markReady();
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    return KitServer.of(port, drain, coordinator, uploadBytes::get, () -> {
      // the coordinator's stop may have shut the groups down already
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      worker.shutdownNow();
    });
  }
}

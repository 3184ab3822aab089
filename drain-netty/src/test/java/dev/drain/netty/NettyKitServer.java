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
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts the kit's application on a real Netty server, on 127.0.0.1 and a port the OS picks,
 * speaking HTTP/1.1 and h2c.
 */
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
            ch.pipeline().addLast(h2c(nettyDrain, drain, uploadBytes, worker),
                nettyDrain.newHandler(), new HttpServerExpectContinueHandler(),
                new KitApp(drain, uploadBytes, worker));
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

  /**
   * HTTP/1.1 with h2c (upgrade and prior knowledge) as a framework builds it: the HTTP/2 pipeline
   * has only the frame codec and the multiplexer, and the connection's {@link DrainHandler} adds
   * the {@link Http2DrainHandler} when the connection turns to HTTP/2. Each stream has its own
   * stream handler.
   */
  private static CleartextHttp2ServerUpgradeHandler h2c(NettyDrain nettyDrain, Drain drain,
      AtomicLong uploadBytes, ScheduledExecutorService worker) {
    ChannelInitializer<Http2StreamChannel> streams = new ChannelInitializer<>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
            nettyDrain.newStreamHandler(), new HttpServerExpectContinueHandler(),
            new KitApp(drain, uploadBytes, worker));
      }
    };
    HttpServerCodec codec = new HttpServerCodec();
    HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec,
        protocol -> AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
            ? new Http2ServerUpgradeCodec(Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(streams))
            : null, 64 * 1024);
    return new CleartextHttp2ServerUpgradeHandler(codec, upgrade,
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            // the HTTP/1.1 handlers at the end of the pipeline have nothing to do on HTTP/2
            ch.pipeline().remove(HttpServerExpectContinueHandler.class);
            ch.pipeline().remove(KitApp.class);
            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(streams));
          }
        });
  }
}

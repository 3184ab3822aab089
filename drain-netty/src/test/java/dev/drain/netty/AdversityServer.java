package dev.drain.netty;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.ShutdownCoordinator;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain HTTP/1.1 Netty server with the kit's application, for the scenarios the kit cannot
 * express: one worker event loop (so that tasks submitted to it run in order), the application
 * optionally on an {@link EventExecutorGroup}, and optionally a server control that leaves the
 * listener open (a connection accepted as the listener closes).
 */
final class AdversityServer implements AutoCloseable {

  final Drain drain;
  final NettyDrain nettyDrain;
  final ShutdownCoordinator coordinator;
  final EventLoopGroup workers;
  final int port;
  /** Counted down when the drain stops accepting. */
  final CountDownLatch stoppedAccepting = new CountDownLatch(1);
  private final EventLoopGroup boss;
  private final ScheduledExecutorService worker = Executors.newScheduledThreadPool(2);

  AdversityServer(DrainConfig config, EventExecutorGroup appGroup, boolean listenerStaysOpen)
      throws InterruptedException {
    this(config, appGroup, listenerStaysOpen, null, false);
  }

  /**
   * With TLS in front of the codec ({@code ssl} not null) and an {@code HttpObjectAggregator}
   * of 1 KiB after the drain's handler ({@code aggregator}), as applications build them.
   */
  @SuppressWarnings("deprecation") // NioEventLoopGroup: the API both Netty 4.1 and 4.2 have
  AdversityServer(DrainConfig config, EventExecutorGroup appGroup, boolean listenerStaysOpen,
      io.netty.handler.ssl.SslContext ssl, boolean aggregator) throws InterruptedException {
    drain = Drain.builder().config(config).listener(event -> {
      if (event instanceof DrainEvent.StopAccepting) {
        stoppedAccepting.countDown();
      }
    }).build();
    nettyDrain = NettyDrain.create(drain);
    boss = new NioEventLoopGroup(1);
    workers = new NioEventLoopGroup(1);
    AtomicLong uploadBytes = new AtomicLong();
    Channel listener = new ServerBootstrap().group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (ssl != null) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
            }
            ch.pipeline().addLast(new HttpServerCodec(), nettyDrain.newHandler());
            ch.pipeline().addLast(aggregator
                ? new io.netty.handler.codec.http.HttpObjectAggregator(1024)
                : new HttpServerExpectContinueHandler());
            ch.pipeline().addLast(appGroup, "app", new KitApp(drain, uploadBytes, worker));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    port = ((InetSocketAddress) listener.localAddress()).getPort();
    coordinator = ShutdownCoordinator.create(drain, nettyDrain.serverControl(
        listenerStaysOpen ? List.of() : List.of(listener), boss, workers));
    drain.markReady();
  }

  /** Waits until every task submitted to the worker event loop so far has run. */
  void settleLoop() throws Exception {
    workers.next().submit(() -> { }).get(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    worker.shutdownNow();
  }
}

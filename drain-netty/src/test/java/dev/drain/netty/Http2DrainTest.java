package dev.drain.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainResult;
import dev.drain.core.ShutdownCoordinator;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 (h2c, prior knowledge) on a real Netty server, with a real Netty HTTP/2 client that
 * records the GOAWAY frames it receives: at StopAccepting the connection gets a GOAWAY with the
 * largest stream id, then one with the last stream id after a round trip; the stream in flight
 * finishes and the connection closes after it. Every scenario runs {@code drain.kit.rounds}
 * times (default 20).
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: the API both Netty 4.1 and 4.2 have
class Http2DrainTest {

  private static final int ROUNDS = Integer.getInteger("drain.kit.rounds", 20);

  private final EventLoopGroup group = new NioEventLoopGroup(2);
  private final ScheduledExecutorService worker = Executors.newScheduledThreadPool(1);
  private Drain drain;
  private Channel server;
  private ShutdownCoordinator coordinator;

  @AfterEach
  void stop() throws InterruptedException {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    worker.shutdownNow();
  }

  private void startServer() throws InterruptedException {
    drain = Drain.builder().config(DrainConfig.builder().propagationDelay(Duration.ZERO)
        .quietPeriod(Duration.ZERO).gracePeriod(Duration.ofSeconds(10))
        .safetyMargin(Duration.ofMillis(500)).build()).build();
    NettyDrain nettyDrain = NettyDrain.create(drain);
    AtomicLong uploadBytes = new AtomicLong();
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                nettyDrain.newHttp2Handler(),
                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel stream) {
                    stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                        nettyDrain.newStreamHandler(), new KitApp(drain, uploadBytes, worker));
                  }
                }));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    // the group is the test's: the control closes connections but leaves the group running
    coordinator = ShutdownCoordinator.create(drain, nettyDrain.serverControl(List.of(server)));
    drain.markReady();
  }

  /** A client connection that records the last-stream ids of the GOAWAY frames it receives. */
  private final class Client {
    final List<Integer> goAways = new CopyOnWriteArrayList<>();
    final Channel channel;

    Client() throws InterruptedException {
      channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                      if (msg instanceof Http2GoAwayFrame goAway) {
                        goAways.add(goAway.lastStreamId());
                      }
                      ctx.fireChannelRead(msg);
                    }
                  },
                  new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            }
          })
          .connect(server.localAddress()).sync().channel();
    }

    /** Sends a GET on a new stream; completes with its id and response. */
    CompletableFuture<String> get(String path, CompletableFuture<Integer> streamId)
        throws InterruptedException {
      CompletableFuture<String> response = new CompletableFuture<>();
      Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
          .handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
              ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                  new HttpObjectAggregator(1 << 20),
                  new SimpleChannelInboundHandler<FullHttpResponse>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                      response.complete(r.status().code() + " "
                          + r.content().toString(StandardCharsets.UTF_8));
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                      response.completeExceptionally(new IllegalStateException("stream closed"));
                    }
                  });
            }
          }).open().sync().getNow();
      DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
          HttpMethod.GET, path);
      request.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
      // the stream gets its id when its HEADERS frame is written
      stream.writeAndFlush(request).addListener(f -> streamId.complete(stream.stream().id()));
      return response;
    }
  }

  @Test
  void aStreamInFlightFinishesBetweenTwoGoAwaysAndTheConnectionClosesAfterIt() throws Exception {
    for (int round = 1; round <= ROUNDS; round++) {
      startServer();
      Client client = new Client();
      CompletableFuture<Integer> id = new CompletableFuture<>();
      CompletableFuture<String> slow = client.get("/slow?ms=800", id);
      await().atMost(Duration.ofSeconds(5)).until(() -> drain.inflight() == 1);

      CompletableFuture<DrainResult> result =
          CompletableFuture.supplyAsync(() -> coordinator.shutdown("test"));

      await().atMost(Duration.ofSeconds(5)).until(() -> client.goAways.size() == 2);
      assertThat(client.goAways).as("round %d: first the largest id, then the last one", round)
          .containsExactly(Integer.MAX_VALUE, id.get());
      assertThat(slow).as("round %d: still in flight after the final GOAWAY", round).isNotDone();
      assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo("200 slow");
      assertThat(client.channel.closeFuture().await(5, TimeUnit.SECONDS))
          .as("round %d: connection closed after its last stream", round).isTrue();
      assertThat(result.get(10, TimeUnit.SECONDS).clean()).isTrue();
      assertThat(drain.inflight()).isZero();
    }
  }

  @Test
  void anIdleConnectionGetsBothGoAwaysAndCloses() throws Exception {
    for (int round = 1; round <= ROUNDS; round++) {
      startServer();
      Client client = new Client();
      CompletableFuture<Integer> id = new CompletableFuture<>();
      assertThat(client.get("/hello", id).get(5, TimeUnit.SECONDS)).isEqualTo("200 hello");

      DrainResult result = coordinator.shutdown("test");

      assertThat(result.clean()).isTrue();
      assertThat(client.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(client.goAways).as("round %d", round)
          .containsExactly(Integer.MAX_VALUE, id.get());
    }
  }
}

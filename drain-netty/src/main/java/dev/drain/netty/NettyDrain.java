package dev.drain.netty;

import dev.drain.core.Drain;
import dev.drain.core.ProbeEndpoint;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.Objects;

/**
 * The Netty side of one {@link Drain}: makes the per-channel {@link DrainHandler}s, knows the
 * open connections, and gives the {@link NettyServerControl} that closes them.
 *
 * <pre>{@code
 * Drain drain = Drain.builder().config(DrainConfig.fromProperties(props)).build();
 * NettyDrain nettyDrain = NettyDrain.create(drain);
 * bootstrap.childHandler(new ChannelInitializer<SocketChannel>() {
 *   protected void initChannel(SocketChannel ch) {
 *     ch.pipeline().addLast(new HttpServerCodec(), nettyDrain.newHandler(),
 *         new HttpServerExpectContinueHandler(), app);
 *   }
 * });
 * Channel server = bootstrap.bind(port).sync().channel();
 * ShutdownCoordinator.install(drain, nettyDrain.serverControl(List.of(server), boss, workers));
 * drain.markReady();
 * }</pre>
 *
 * <p>Thread-safe; one per server (or per drain).
 */
public final class NettyDrain {

  private final Drain drain;
  private final ProbeEndpoint probes;
  private final DrainConnections connections = new DrainConnections();
  private final java.util.concurrent.atomic.AtomicBoolean warnedShutDown =
      new java.util.concurrent.atomic.AtomicBoolean();

  private NettyDrain(Drain drain) {
    this.drain = Objects.requireNonNull(drain, "drain");
    this.probes = new ProbeEndpoint(drain);
  }

  /**
   * Returns the Netty side of {@code drain}, answering the probes as its {@link
   * dev.drain.core.DrainConfig#probes()} say (paths, drain endpoint and its token).
   *
   * @param drain the drain; must not be null
   * @return a new instance
   */
  public static NettyDrain create(Drain drain) {
    return new NettyDrain(drain);
  }

  /**
   * Returns the drain.
   *
   * @return the drain
   */
  public Drain drain() {
    return drain;
  }

  /**
   * Returns a handler for one HTTP/1.1 connection, to add right after {@code HttpServerCodec}.
   *
   * @return a new handler; never share it between channels
   */
  public DrainHandler newHandler() {
    return new DrainHandler(this, false);
  }

  /**
   * Returns a handler for one HTTP/2 stream's child channel, to add right after {@code
   * Http2StreamFrameToHttpObjectCodec}: the stream is tracked like one request, and closing is
   * left to HTTP/2 (GOAWAY on the connection), not to {@code Connection: close}.
   *
   * @return a new handler; never share it between channels
   */
  public DrainHandler newStreamHandler() {
    return new DrainHandler(this, true);
  }

  /**
   * Returns the handler for one HTTP/2 connection, to add right after {@code Http2FrameCodec}
   * and before {@code Http2MultiplexHandler} (or to pass to {@code Http2ServerUpgradeCodec} with
   * them): it ends the connection with GOAWAY when the drain stops accepting.
   *
   * @return a new handler; never share it between channels
   */
  public Http2DrainHandler newHttp2Handler() {
    return new Http2DrainHandler(connections);
  }

  /**
   * Adds an {@link Http2DrainHandler} right after the HTTP/2 codec of {@code connection}, unless
   * it has one or has no HTTP/2 codec: for servers that build the HTTP/2 pipeline themselves
   * (Reactor Netty), whose connection may turn to HTTP/2 where no {@link DrainHandler} sees it
   * (an h2c upgrade handled ahead of it, TLS with ALPN). Call it on the connection's event loop,
   * for example when one of its streams opens.
   *
   * @param connection the channel of an HTTP/2 connection (a stream channel's parent)
   * @return whether a handler was added
   */
  public boolean addHttp2HandlerIfMissing(Channel connection) {
    return Http2DrainHandler.addIfMissing(connection.pipeline(), connections);
  }

  /**
   * Returns the server control for the {@link dev.drain.core.ShutdownCoordinator}: it closes
   * {@code serverChannels} and idle connections when the propagation delay is over, and the
   * rest and {@code groups} when the drain ended.
   *
   * @param serverChannels the bound server channels
   * @param groups the event loop groups to shut down at the end (boss and workers), if the
   *     application wants them shut down with the server
   * @return the control
   */
  public NettyServerControl serverControl(List<Channel> serverChannels, EventLoopGroup... groups) {
    return new NettyServerControl(connections, serverChannels, List.of(groups));
  }

  /**
   * Returns the number of open connections (HTTP/2 streams count one each).
   *
   * @return the count
   */
  public int openConnections() {
    return connections.size();
  }

  /**
   * A connection closed under {@code cut} requests because its event loop is shutting down
   * while the drain still waits: warns once, naming the usual cause and its fix.
   */
  void eventLoopsShutDown(int cut) {
    if (warnedShutDown.compareAndSet(false, true)) {
      drain.warn("graceful-drain: Netty's event loops are shutting down while the drain still"
          + " waits for requests in flight; " + cut + " request(s) on one connection were cut,"
          + " and the drain's result lists every request cut this way. Something called"
          + " shutdownGracefully() before the drain ended: usually main's finally block after"
          + " serverChannel.closeFuture().sync(), which returns as soon as the drain stops"
          + " accepting. Wait for the drain instead (ShutdownCoordinator.awaitTermination())"
          + " and let the server control shut the groups down (nettyDrain.serverControl(...,"
          + " boss, workers)); see the README's Netty section");
    }
  }

  ProbeEndpoint probes() {
    return probes;
  }

  DrainConnections connections() {
    return connections;
  }
}

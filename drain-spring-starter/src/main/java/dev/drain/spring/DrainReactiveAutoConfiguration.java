package dev.drain.spring;

import dev.drain.core.Drain;
import dev.drain.core.ServerControl;
import dev.drain.netty.NettyDrain;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * WebFlux on Reactor Netty: the drain-netty handler in every connection's pipeline, right after
 * Reactor Netty's HTTP codec and before its traffic handler (which pipelines requests and, later,
 * sends {@code 100 Continue} when the application subscribes to the body), and the glue that
 * closes the listening socket, idle connections and, after the drain, what is left — so Reactor
 * Netty's own {@code disposeNow}, which closes idle connections at once (reactor-netty#1262),
 * finds nothing to cut.
 */
@AutoConfiguration(after = DrainAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({NettyDrain.class, NettyServerCustomizer.class, HttpServer.class})
@ConditionalOnBean(Drain.class)
public class DrainReactiveAutoConfiguration {

  private static final System.Logger LOG = System.getLogger("dev.drain");
  private static final java.util.concurrent.atomic.AtomicBoolean WARNED =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** The name of the drain handler in each connection's pipeline. */
  public static final String HANDLER_NAME = "graceful-drain";

  /** Creates the configuration; Spring calls it. */
  public DrainReactiveAutoConfiguration() {}

  /**
   * The Netty side of the drain.
   *
   * @param drain the drain
   * @return the Netty side
   */
  @Bean
  @ConditionalOnMissingBean
  public NettyDrain nettyDrain(Drain drain) {
    return NettyDrain.create(drain);
  }

  /**
   * The listening channels Reactor Netty bound, for the glue to close.
   *
   * @return an empty registry the customizer fills
   */
  @Bean
  @ConditionalOnMissingBean
  public BoundChannels drainBoundChannels() {
    return new BoundChannels();
  }

  /**
   * Adds the drain handler to every connection once Reactor Netty has built its pipeline, and
   * records the listening channel.
   *
   * @param nettyDrain the Netty side of the drain
   * @param bound where the listening channel goes
   * @return the customizer
   */
  @Bean
  @ConditionalOnMissingBean(name = "drainNettyServerCustomizer")
  public NettyServerCustomizer drainNettyServerCustomizer(NettyDrain nettyDrain,
      BoundChannels bound) {
    return server -> server
        .doOnBound(disposable -> bound.channels.add(disposable.channel()))
        .doOnChannelInit((observer, channel, remote) -> addHandler(nettyDrain, channel))
        .doOnConnection(connection -> addStreamHandler(nettyDrain, connection.channel()));
  }

  /**
   * Tracks an HTTP/2 stream: Reactor Netty builds each stream's pipeline itself and reports the
   * stream as a connection once its request head was read, before passing the head on. The
   * stream handler goes right after Reactor Netty's stream bridge, so it sees that head, the body
   * and the response. The stream's connection gets its GOAWAY handler here too, unless it has
   * one: after an h2c upgrade Reactor Netty's upgrade handler, which sits after the connection's
   * {@link dev.drain.netty.DrainHandler}, keeps the upgrade from it.
   */
  private static void addStreamHandler(NettyDrain nettyDrain, Channel channel) {
    if (channel instanceof Http2StreamChannel stream
        && stream.pipeline().get(HANDLER_NAME) == null
        && stream.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
      nettyDrain.addHttp2HandlerIfMissing(stream.parent());
      stream.pipeline().addAfter(NettyPipeline.HttpTrafficHandler, HANDLER_NAME,
          nettyDrain.newStreamHandler());
    }
  }

  /**
   * Puts the handler right after the HTTP/1.1 codec, found by its type: with {@code
   * server.http2.enabled=true} (h2c) Netty's upgrade handler adds the codec under a generated
   * name instead of {@link NettyPipeline#HttpCodec}. A connection that turns to HTTP/2 gets its
   * GOAWAY handler from this one, and its streams are tracked by {@link #addStreamHandler}; a TLS
   * connection has no codec yet at this point and is not tracked.
   */
  private static void addHandler(NettyDrain nettyDrain, Channel channel) {
    ChannelPipeline pipeline = channel.pipeline();
    io.netty.channel.ChannelHandlerContext codec = pipeline.context(HttpServerCodec.class);
    if (codec != null) {
      pipeline.addAfter(codec.name(), HANDLER_NAME, nettyDrain.newHandler());
    } else {
      if (WARNED.compareAndSet(false, true)) {
        LOG.log(System.Logger.Level.WARNING, "graceful-drain: no HTTP/1.1 codec in the pipeline "
            + pipeline.names() + "; such connections (TLS) are not tracked");
      }
    }
  }

  /**
   * The running Reactor Netty server's drain glue.
   *
   * @param context the application context, which knows the web server
   * @param nettyDrain the Netty side of the drain
   * @param bound the listening channels
   * @param glues further glue the application contributes
   * @return the control
   */
  @Bean
  @ConditionalOnMissingBean(ServerControl.class)
  public WebServerControl drainServerControl(ApplicationContext context, NettyDrain nettyDrain,
      BoundChannels bound, ObjectProvider<WebServerControl.Glue> glues) {
    List<WebServerControl.Glue> all = new java.util.ArrayList<>();
    all.add(server -> server instanceof NettyWebServer
        ? nettyDrain.serverControl(List.copyOf(bound.channels)) : null);
    glues.orderedStream().forEach(all::add);
    return WebServerControl.of(context, all);
  }

  /** The listening channels of the Reactor Netty server, filled when it binds. */
  public static final class BoundChannels {
    private final List<Channel> channels = new CopyOnWriteArrayList<>();

    /** Creates an empty registry. */
    public BoundChannels() {}

    /**
     * Returns the channels bound so far.
     *
     * @return a snapshot
     */
    public List<Channel> channels() {
      return List.copyOf(channels);
    }
  }
}

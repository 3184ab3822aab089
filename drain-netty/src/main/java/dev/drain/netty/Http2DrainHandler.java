package dev.drain.netty;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends one HTTP/2 connection the way RFC 9113 §6.8 recommends, when the drain stops accepting:
 * a first GOAWAY with the largest stream id (2^31-1) and a PING; once the PING comes back (one
 * round trip: streams the client opened meanwhile have arrived) or after at most one second, the
 * final GOAWAY with the last stream id really received; then the connection closes as soon as its
 * last stream ends (its last frame written and flushed). Streams in flight finish; each is tracked by its own {@link DrainHandler}.
 *
 * <p>Goes on the connection's channel right after {@code Http2FrameCodec} and before {@code
 * Http2MultiplexHandler}; made by {@link NettyDrain#newHttp2Handler()}. A {@link DrainHandler}
 * adds one itself when its connection turns to HTTP/2 (h2c upgrade or prior knowledge) and the
 * pipeline has none.
 */
public final class Http2DrainHandler extends ChannelDuplexHandler {

  /** The PING payload that marks this handler's round-trip probe. */
  static final long PING_CONTENT = 0x6472_6169_6e5f_676fL; // "drain_go"
  private static final long MAX_ROUND_TRIP_MILLIS = 1000;

  private final DrainConnections connections;
  private ChannelHandlerContext ctx;
  private boolean firstGoAwaySent;
  private boolean finalGoAwaySent;
  private ScheduledFuture<?> roundTripCap;

  Http2DrainHandler(DrainConnections connections) {
    this.connections = connections;
  }

  /** The name under which {@link #addIfMissing} adds the handler. */
  static final String NAME = "graceful-drain-h2";

  /**
   * Adds a handler right after the pipeline's HTTP/2 codec (an {@code Http2ConnectionHandler}),
   * unless one is there already or the pipeline has no such codec.
   *
   * @return whether one was added
   */
  static boolean addIfMissing(ChannelPipeline pipeline, DrainConnections connections) {
    ChannelHandlerContext codec = pipeline.context(Http2ConnectionHandler.class);
    if (codec == null || pipeline.get(Http2DrainHandler.class) != null) {
      return false;
    }
    pipeline.addAfter(codec.name(), NAME, new Http2DrainHandler(connections));
    return true;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.pipeline().get(Http2ConnectionHandler.class) == null) {
      throw new IllegalStateException("Http2DrainHandler must come after Http2FrameCodec (an"
          + " Http2ConnectionHandler) in the connection's pipeline");
    }
    connections.addHttp2(this);
    if (connections.stoppedAccepting()) {
      stopAccepting(); // a connection that arrived as the drain stopped accepting
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    connections.removeHttp2(this);
    cancelCap();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    connections.removeHttp2(this);
    cancelCap();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2PingFrame ping && ping.ack() && ping.content() == PING_CONTENT) {
      ReferenceCountUtil.release(msg);
      sendFinalGoAway();
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /** Starts the GOAWAY sequence; runs on the event loop. */
  void stopAccepting() {
    if (ctx.executor().inEventLoop()) {
      sendFirstGoAway();
    } else {
      try {
        ctx.executor().execute(this::sendFirstGoAway);
      } catch (java.util.concurrent.RejectedExecutionException shutDown) {
        ctx.channel().close();
      }
    }
  }

  /** The connection's channel, once added. */
  io.netty.channel.Channel channel() {
    return ctx.channel();
  }

  /** Closes the connection now, streams or not (the drain ended); runs on the event loop. */
  void closeNow() {
    try {
      ctx.executor().execute(() -> {
        // from the first handler's context: the socket closes without the codec's graceful wait
        ChannelHandlerContext first = ctx.pipeline().firstContext();
        if (first != null) {
          first.close();
        } else {
          ctx.channel().close();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException shutDown) {
      ctx.channel().close();
    }
  }

  private void sendFirstGoAway() {
    if (firstGoAwaySent || !ctx.channel().isActive()) {
      return;
    }
    firstGoAwaySent = true;
    // extraStreamIds: the codec adds them to the last stream id and caps at 2^31-1
    ctx.write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
    ctx.writeAndFlush(new DefaultHttp2PingFrame(PING_CONTENT));
    roundTripCap = ctx.executor().schedule(this::sendFinalGoAway, MAX_ROUND_TRIP_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  private void sendFinalGoAway() {
    if (finalGoAwaySent || !ctx.channel().isActive() || ctx.isRemoved()) {
      return;
    }
    finalGoAwaySent = true;
    cancelCap();
    ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
    Http2ConnectionHandler codec = ctx.pipeline().get(Http2ConnectionHandler.class);
    if (codec == null) {
      ctx.channel().close();
      return;
    }
    Http2Connection connection = codec.connection();
    // Streams answered in full while the client still sends their request body (a refused
    // upload, an early answer) would hold the connection until the client finishes: RFC 9113
    // section 8.1 lets the server end them with RST_STREAM(NO_ERROR) after the response.
    try {
      connection.forEachActiveStream(stream -> {
        resetIfAnswered(codec, stream);
        return true;
      });
    } catch (Http2Exception e) {
      ctx.channel().close();
      return;
    }
    // Closed here when the last stream ends, not by Http2ConnectionHandler's graceful close,
    // which was seen to close a connection with a stream still active.
    if (connection.numActiveStreams() == 0) {
      closeAfterFlush();
    } else {
      connection.addListener(new Http2ConnectionAdapter() {
        @Override
        public void onStreamHalfClosed(Http2Stream stream) {
          resetIfAnswered(codec, stream);
        }

        @Override
        public void onStreamClosed(Http2Stream stream) {
          if (connection.numActiveStreams() == 0) {
            // after the closing stream's last frame is written and flushed
            ctx.executor().execute(Http2DrainHandler.this::closeAfterFlush);
          }
        }
      });
    }
  }

  /** Ends a stream whose response is written in full but whose request is still arriving. */
  private void resetIfAnswered(Http2ConnectionHandler codec, Http2Stream stream) {
    if (stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
      ChannelHandlerContext codecCtx = ctx.pipeline().context(codec);
      if (codecCtx != null) {
        codec.resetStream(codecCtx, stream.id(), Http2Error.NO_ERROR.code(),
            codecCtx.newPromise());
        codecCtx.flush();
      }
    }
  }

  /**
   * Closes the connection once what was written is flushed. Does nothing when the pipeline is
   * gone already (the client reset the connection, or the stop closed it meanwhile).
   */
  private void closeAfterFlush() {
    if (ctx.isRemoved() || !ctx.channel().isActive()) {
      ctx.channel().close();
      return;
    }
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
      ChannelHandlerContext first = ctx.pipeline().firstContext();
      if (first != null) {
        first.close();
      } else {
        ctx.channel().close();
      }
    });
  }

  private void cancelCap() {
    if (roundTripCap != null) {
      roundTripCap.cancel(false);
      roundTripCap = null;
    }
  }
}

package dev.drain.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The open connections of one {@link NettyDrain}: HTTP/1.1 connections, each known by its {@link
 * DrainHandler}, which tells an idle connection from one with a request in flight, and HTTP/2
 * connections, each known by its {@link Http2DrainHandler}, which ends it with GOAWAY.
 */
final class DrainConnections {

  /**
   * How long a connection with nothing in flight is kept after StopAccepting when it may be
   * about to send a request: its codec's state cannot be read, or it was accepted as the listener
   * closed and has sent nothing yet; then it is checked again. A connection whose codec holds the
   * start of a head stays open until the head completes (it is then served) or the server stops:
   * it holds no request, so it does not hold the drain.
   */
  static final Duration HEAD_WAIT = Duration.ofMillis(500);

  private final Set<DrainHandler> open = ConcurrentHashMap.newKeySet();
  private final Set<Http2DrainHandler> http2 = ConcurrentHashMap.newKeySet();
  private volatile boolean stoppedAccepting;

  /**
   * Registers a connection; one that arrives after {@link #stopAccepting()} (accepted while the
   * listener was closing, or registered after the walk over the open ones) is ended like the
   * others once it has had {@link #HEAD_WAIT} to send its request.
   */
  void add(DrainHandler handler) {
    if (open.add(handler) && stoppedAccepting) {
      runOn(handler.context(), () -> closeWhenIdle(handler, false));
    }
  }

  void remove(DrainHandler handler) {
    open.remove(handler);
  }

  void addHttp2(Http2DrainHandler handler) {
    http2.add(handler);
  }

  void removeHttp2(Http2DrainHandler handler) {
    http2.remove(handler);
  }

  /** The HTTP/1.1 connections' handlers, for tests. */
  List<DrainHandler> http1() {
    return List.copyOf(open);
  }

  int size() {
    return open.size() + http2.size();
  }

  /**
   * Closes every idle connection now, on its own event loop (where its state lives), and every
   * connection that becomes idle from now on; connections with a request in flight close after
   * their response, which carries {@code Connection: close}.
   */
  void stopAccepting() {
    stoppedAccepting = true;
    for (Http2DrainHandler handler : http2) {
      handler.stopAccepting();
    }
    for (DrainHandler handler : open) {
      runOn(handler.context(), () -> closeWhenIdle(handler, true));
    }
  }

  /** Whether {@link #stopAccepting()} ran: connections added later are ended too. */
  boolean stoppedAccepting() {
    return stoppedAccepting;
  }

  /** Runs {@code task} on the handler's executor; closes the channel if that executor is gone. */
  private static void runOn(ChannelHandlerContext ctx, Runnable task) {
    try {
      ctx.executor().execute(task);
    } catch (RejectedExecutionException shutDown) {
      ctx.channel().close();
    }
  }

  /** Called by a handler on its event loop when a response was written. */
  void settled(DrainHandler handler) {
    if (stoppedAccepting) {
      closeWhenIdle(handler, true);
    }
  }

  /**
   * Ends the connection if it has no request in flight: at once when its codec holds nothing of
   * a next request; otherwise after {@link #HEAD_WAIT}, unless a request began meanwhile (it then
   * ends after that request's response) or the start of a head is still arriving (checked again
   * after the same wait). On the handler's event loop.
   */
  private static void closeWhenIdle(DrainHandler handler, boolean now) {
    // a handler that left the pipeline (its connection turned to HTTP/2) ends nothing
    if (handler.context().isRemoved() || !handler.noRequest()) {
      return;
    }
    if (now && handler.codecState() == CodecState.IDLE) {
      handler.endIdle();
      return;
    }
    Channel channel = handler.context().channel();
    channel.eventLoop().schedule(() -> {
      if (!handler.context().isRemoved() && handler.noRequest()) {
        if (handler.codecState() == CodecState.RECEIVING) {
          // a head still arriving holds no request and so not the drain: it is served when
          // it completes, and closed by the stop if it never does
          closeWhenIdle(handler, false);
        } else {
          handler.endIdle();
        }
      }
    }, HEAD_WAIT.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Ends every HTTP/1.1 connection after what was written to it, and returns at once. A
   * connection whose client may still be reading or sending is half-closed and waited for: the
   * last response's bytes may still be on their way ({@link DrainHandler#lingerNanos()}), for
   * that long, or a body may still be arriving (a refused upload, its {@code 503} sent), until
   * the client closes its side or the stop's budget runs out. A
   * close any earlier could reset the connection and discard what the client was sent. Other
   * connections close at once. HTTP/2 connections close gracefully.
   *
   * @return completes when every connection is closed
   */
  CompletableFuture<Void> closeAfterWrites() {
    List<CompletableFuture<Void>> closed = new ArrayList<>();
    for (DrainHandler handler : open) {
      Channel channel = handler.context().channel();
      CompletableFuture<Void> future = new CompletableFuture<>();
      channel.closeFuture().addListener(f -> future.complete(null));
      closed.add(future);
      runOn(handler.context(), () -> {
        long linger = handler.lingerNanos();
        if (!channel.isActive()) {
          channel.close();
        } else if (handler.receivingBody()) {
          // its 503 (or response) is sent and the client is still sending: a close now would
          // reset the connection under the response; the budget of the stop bounds the wait
          ConnectionEnd.shutOutput(channel, ConnectionEnd.LINGER);
        } else if (linger > 0) {
          ConnectionEnd.shutOutput(channel, Duration.ofNanos(linger));
        } else {
          channel.close();
        }
      });
    }
    for (Http2DrainHandler handler : http2) {
      CompletableFuture<Void> future = new CompletableFuture<>();
      handler.channel().closeFuture().addListener(f -> future.complete(null));
      closed.add(future);
      handler.stopAccepting();
    }
    return CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new));
  }

  /** Closes every connection, whatever it is doing. */
  void closeAll() {
    for (DrainHandler handler : open) {
      handler.context().channel().close();
    }
    for (Http2DrainHandler handler : http2) {
      handler.closeNow();
    }
  }
}

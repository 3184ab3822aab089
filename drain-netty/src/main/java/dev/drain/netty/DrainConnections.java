package dev.drain.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections of one {@link NettyDrain}: HTTP/1.1 connections, each known by its {@link
 * DrainHandler}, which tells an idle connection from one with a request in flight, and HTTP/2
 * connections, each known by its {@link Http2DrainHandler}, which ends it with GOAWAY.
 */
final class DrainConnections {

  private final Set<DrainHandler> open = ConcurrentHashMap.newKeySet();
  private final Set<Http2DrainHandler> http2 = ConcurrentHashMap.newKeySet();
  private volatile boolean stoppedAccepting;

  void add(DrainHandler handler) {
    open.add(handler);
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
      runOn(handler.context(), () -> closeIfIdle(handler));
    }
  }

  /** Whether {@link #stopAccepting()} ran: connections added later are ended at once. */
  boolean stoppedAccepting() {
    return stoppedAccepting;
  }

  /** Runs {@code task} on the handler's executor; closes the channel if that executor is gone. */
  private static void runOn(ChannelHandlerContext ctx, Runnable task) {
    try {
      ctx.executor().execute(task);
    } catch (java.util.concurrent.RejectedExecutionException shutDown) {
      ctx.channel().close();
    }
  }

  /** Called by a handler on its event loop when a response was written. */
  void settled(DrainHandler handler) {
    if (stoppedAccepting) {
      closeIfIdle(handler);
    }
  }

  private static void closeIfIdle(DrainHandler handler) {
    // a handler that left the pipeline (its connection turned to HTTP/2) ends nothing
    if (!handler.context().isRemoved() && handler.idle()) {
      handler.endIdle();
    }
  }

  /**
   * Ends every HTTP/1.1 connection after what was written to it, and returns at once. Its output
   * is shut down (a FIN after the last byte) and it closes when the client closes its side, or
   * once the last response's bytes had time to reach a client reading at the drain's minimum
   * rate ({@link DrainHandler#lingerNanos()}): a close any earlier could reset the connection and
   * discard the bytes still in the kernel's buffer. HTTP/2 connections close gracefully.
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
        if (channel instanceof DuplexChannel duplex && channel.isActive() && linger > 0) {
          duplex.shutdownOutput();
          channel.eventLoop().schedule(() -> channel.close(), linger, TimeUnit.NANOSECONDS);
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

package dev.drain.netty;

import dev.drain.core.DrainResult;
import dev.drain.core.ServerControl;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link ServerControl} for a Netty server: at {@link #stopAccepting()} the server channels close
 * (the port stops accepting) and so do idle keep-alive connections; connections with a request
 * in flight close after their response. At {@link #stop(DrainResult, Duration)} whatever is left
 * is closed and the event loop groups are shut down within the time left.
 */
public final class NettyServerControl implements ServerControl {

  private final DrainConnections connections;
  private final List<Channel> serverChannels;
  private final List<EventLoopGroup> groups;

  NettyServerControl(DrainConnections connections, List<Channel> serverChannels,
      List<EventLoopGroup> groups) {
    this.connections = connections;
    this.serverChannels = List.copyOf(serverChannels);
    this.groups = List.copyOf(groups);
  }

  /** Closes the server channels and every idle connection; does not wait for either. */
  @Override
  public void stopAccepting() {
    for (Channel server : serverChannels) {
      server.close();
    }
    connections.stopAccepting();
  }

  /**
   * Closes every connection left and shuts the event loop groups down, waiting for them at most
   * {@code remaining}. After a clean drain only idle connections are left (each request ended
   * when its response's last write completed), but the kernel may still be sending what was
   * written: their output is shut down, and they close when the client has read to the end
   * and closed its side, or when {@code remaining} runs out. After a drain cut at its deadline,
   * they close at once.
   */
  @Override
  public void stop(DrainResult result, Duration remaining) throws InterruptedException {
    long deadline = System.nanoTime() + Math.max(0, remaining.toNanos());
    for (Channel server : serverChannels) {
      server.close();
    }
    if (!result.deadlineReached()) {
      try {
        connections.closeAfterWrites().get(Math.max(0, deadline - System.nanoTime()),
            TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // the budget ran out: close what is left below
      }
    }
    connections.closeAll();
    for (EventLoopGroup group : groups) {
      long left = Math.max(0, deadline - System.nanoTime());
      group.shutdownGracefully(0, TimeUnit.NANOSECONDS.toMillis(left), TimeUnit.MILLISECONDS);
    }
    for (EventLoopGroup group : groups) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!group.awaitTermination(left, TimeUnit.NANOSECONDS)) {
        return;
      }
    }
  }
}

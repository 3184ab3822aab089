package dev.drain.netty;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannelConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How an HTTP/1.1 connection ends without losing what was written to it: its output is shut
 * down (a FIN after the last byte) and it closes when the client closes its side, or after a
 * bound. A {@code close()} with bytes still in the kernel's send buffer, or with bytes of a
 * refused body still arriving, can make the kernel reset the connection, and the client then
 * loses the response it was sent.
 */
final class ConnectionEnd {

  /** How long a connection ended after its response waits for the client to close its side. */
  static final Duration LINGER = Duration.ofSeconds(30);

  private ConnectionEnd() {}

  /**
   * Shuts the output of {@code channel} down and closes it after {@code atMost} unless the
   * client closes first; closes at once a channel that cannot be half-closed. On the loop.
   */
  static void shutOutput(Channel channel, Duration atMost) {
    if (channel instanceof DuplexChannel duplex && channel.isActive()) {
      if (!duplex.isOutputShutdown()) {
        duplex.shutdownOutput();
      }
      channel.eventLoop().schedule(() -> channel.close(), atMost.toNanos(), TimeUnit.NANOSECONDS);
    } else {
      channel.close();
    }
  }

  /**
   * Returns how long the bytes of the last large response may still be on their way at {@code
   * minClientRate}, counting at most what the socket's send buffer holds.
   *
   * @param lastResponseBytes body bytes of the last large response, 0 for none
   * @param writeDoneNanos when its write completed
   */
  static long lingerNanos(Channel channel, long lastResponseBytes, long writeDoneNanos,
      long minClientRate) {
    if (lastResponseBytes == 0) {
      return 0; // no large response written yet
    }
    long buffered = lastResponseBytes;
    if (channel.config() instanceof SocketChannelConfig socket) {
      buffered = Math.min(buffered, socket.getSendBufferSize());
    }
    long drainNanos = (long) (buffered * 1e9 / Math.max(1, minClientRate));
    return Math.max(0, writeDoneNanos + drainNanos - System.nanoTime());
  }
}

package dev.drain.core;

/**
 * One request in flight, from {@link Drain#begin(RequestInfo)} to {@link #close()}.
 *
 * <p>The adapter must reach {@link #close()} on every path: normal end, error, client abort and
 * async timeout. A second {@code close()} does nothing, from any thread, so an adapter may close
 * from both a {@code finally} block and a listener.
 */
public interface Inflight extends AutoCloseable {

  /**
   * Records that the application read {@code bytes} more bytes of the body. Zero or negative
   * values are ignored; calls after {@link #close()} are ignored.
   *
   * @param bytes bytes read since the last call
   */
  void onBytes(long bytes);

  /**
   * Ends the request. Idempotent and thread-safe.
   */
  @Override
  void close();

  /**
   * Returns whether this request counts toward the in-flight total. It does not when it began
   * after the drain had completed; the adapter should then answer 503 with {@code Connection:
   * close}.
   *
   * @return false for a request that arrived after the drain completed
   */
  boolean tracked();
}

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
   * values are ignored; calls after {@link #close()} are ignored. Calls for one request must not
   * overlap (the reads of one body never do: one thread reads at a time, or the server's read
   * callbacks run one after another); they may come from different threads.
   *
   * @param bytes bytes read since the last call
   */
  void onBytes(long bytes);

  /**
   * Reads the body's progress from a counter the server keeps, in addition to {@link
   * #onBytes(long)}: for bytes the server reads itself, which no wrapper sees (a servlet
   * container parsing a multipart or form body for {@code getParts()} or {@code getParameter()}).
   * The counter must only grow while the request is open; it is read when progress is needed
   * (status, stall checks, estimates), never after {@link #close()}, and the larger of the two
   * counts wins. Ignored by a request without a body.
   *
   * @param bytesRead the server's count of body bytes read for this request; must not be null
   */
  default void bytesReadFrom(java.util.function.LongSupplier bytesRead) {}

  /**
   * Ends the request. Idempotent and thread-safe.
   */
  @Override
  void close();

  /**
   * Ends the request because it did not end the normal way: its connection closed, reset or
   * failed before the last byte of its response was written (the client went away, a write
   * failed, the server's event loops were shut down under it). While a drain runs such a request
   * is listed in the {@link DrainResult} as cut, and the drain is not {@link DrainResult#clean()};
   * before a drain it ends like {@link #close()}. Whichever of the two comes first ends the
   * request; the other does nothing.
   */
  default void abort() {
    close();
  }

  /**
   * Returns whether this request counts toward the in-flight total. It does not when it began
   * after the drain had completed; the adapter should then answer 503 with {@code Connection:
   * close}.
   *
   * @return false for a request that arrived after the drain completed
   */
  boolean tracked();
}

package dev.drain.core;

/**
 * A handle an adapter re-arms for one request after another on the same connection, so that
 * tracking a bodyless request allocates nothing. Get one per connection from {@link
 * Drain#newReusableInflight()}.
 *
 * <p>Only for adapters that run a connection's requests one after the other and close each before
 * beginning the next (an HTTP/1.1 handler on one event loop, say): a close that arrives after the
 * handle was re-armed would end the next request. Where requests of a connection may overlap, or
 * a close may come late from another thread, use {@link Drain#begin(RequestInfo)}.
 *
 * <p>All calls on one handle and on the bodyless requests it returns (begin, close, a second
 * close) must be ordered one after the other, as they are on one Netty event loop: the handle
 * uses no compare-and-set, which is what makes it cheaper than {@link Drain#begin(RequestInfo)}.
 */
public interface ReusableInflight {

  /**
   * Begins the next request. A bodyless request is tracked by this handle itself and returns it;
   * a request with a body returns a handle of its own (its progress is tracked per upload).
   *
   * @param info the request
   * @return the handle to close when the request ends; {@link Inflight#tracked()} is false when
   *     the drain already completed
   * @throws IllegalStateException when the previous bodyless request on this handle is still open
   */
  Inflight begin(RequestInfo info);
}

package dev.drain.core.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The exact in-flight count, and the gate that ends a drain when it reaches zero.
 *
 * <p>One {@code long} holds the count and two flags, so that "begin" and "drain completed" are
 * ordered by a single atomic variable: a request that enters before completion is counted and
 * holds completion off until it exits; one that enters after completion sees {@link #DONE} and is
 * turned away. Completion happens exactly once, either on the zero-crossing after {@link
 * #startClosing()} or through {@link #forceDone()} at the deadline. No polling, no lock.
 */
public final class InflightCounter {

  /** Set once the drain waits for the count to reach zero. */
  static final long CLOSING = 1L << 62;
  /** Set once the drain completed; later entries are refused. */
  static final long DONE = 1L << 61;
  private static final long COUNT_MASK = DONE - 1;

  private final AtomicLong word = new AtomicLong();
  private final Runnable onQuiescent;

  /**
   * Creates a counter.
   *
   * @param onQuiescent run once, on the thread that brought the count to zero while closing
   */
  public InflightCounter(Runnable onQuiescent) {
    this.onQuiescent = onQuiescent;
  }

  /**
   * Counts one request in.
   *
   * @return true when counted; false when the drain already completed (nothing is counted)
   */
  public boolean enter() {
    long before = word.getAndIncrement();
    if ((before & DONE) != 0) {
      word.getAndDecrement();
      return false;
    }
    return true;
  }

  /** Counts one request out; must follow exactly one successful {@link #enter()}. */
  public void exit() {
    if (word.decrementAndGet() == CLOSING) {
      complete();
    }
  }

  /**
   * Starts waiting for zero; completes at once when nothing is in flight. Calling it again does
   * nothing.
   */
  public void startClosing() {
    long current;
    do {
      current = word.get();
      if ((current & CLOSING) != 0) {
        return;
      }
    } while (!word.compareAndSet(current, current | CLOSING));
    if ((current & COUNT_MASK) == 0) {
      complete();
    }
  }

  /**
   * Completes now, whatever is in flight (the deadline passed).
   *
   * @return true if this call completed the counter; false if it had already completed
   */
  public boolean forceDone() {
    long current;
    do {
      current = word.get();
      if ((current & DONE) != 0) {
        return false;
      }
    } while (!word.compareAndSet(current, current | CLOSING | DONE));
    return true;
  }

  /**
   * Returns the number of requests in flight.
   *
   * @return the exact count at the moment of the read
   */
  public long count() {
    return word.get() & COUNT_MASK;
  }

  /**
   * Returns whether the counter has completed.
   *
   * @return true after the zero-crossing or {@link #forceDone()}
   */
  public boolean done() {
    return (word.get() & DONE) != 0;
  }

  private void complete() {
    if (word.compareAndSet(CLOSING, CLOSING | DONE)) {
      onQuiescent.run();
    }
  }
}

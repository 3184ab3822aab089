package dev.drain.core.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The in-flight count: striped while serving, exact once a drain has started, and the gate that
 * ends a drain when it reaches zero.
 *
 * <p><b>Serving.</b> Each thread counts in and out on a cell of its own (chosen by thread id,
 * 128 bytes apart so that no two cells share a cache line), as {@link
 * java.util.concurrent.atomic.LongAdder} does: a request costs two uncontended atomic adds and
 * touches no line that other cores write. A request may close on another thread, so one cell can
 * go negative; only the sum means anything.
 *
 * <p><b>Sealing.</b> When the drain starts, {@link #seal()} swaps every cell for a sealed marker
 * with one atomic exchange each and moves the sum to one shared word. An add that lands on a
 * sealed cell sees the marker in the value it gets back and goes to the shared word instead, so
 * every begin and close is counted exactly once, whatever runs concurrently with the seal. While
 * the cells are being summed the shared word holds a bias that keeps it away from zero.
 *
 * <p><b>Closing.</b> One {@code long} holds the exact count and two flags, so that "begin" and
 * "drain completed" are ordered by a single atomic variable: a request that enters before
 * completion is counted and holds completion off until it exits; one that enters after completion
 * sees {@link #DONE} and is turned away. Completion happens exactly once, either on the
 * zero-crossing after {@link #startClosing()} or through {@link #forceDone()} at the deadline. No
 * polling, no lock on the request path.
 */
public final class InflightCounter {

  /** Set once the drain waits for the count to reach zero. */
  static final long CLOSING = 1L << 62;
  /** Set once the drain completed; later entries are refused. */
  static final long DONE = 1L << 61;
  private static final long COUNT_MASK = DONE - 1;
  /** Held on the shared word while cells are summed: no zero-crossing, no negative count. */
  private static final long SEAL_BIAS = 1L << 48;
  /** What a sealed cell holds; adds after the seal leave it far below {@link #SEALED_BELOW}. */
  private static final long SEALED = Long.MIN_VALUE >> 1;
  private static final long SEALED_BELOW = SEALED >> 1;
  /** Longs per cell: 128 bytes, so that adjacent-line prefetch does not pair two cells. */
  private static final int STRIDE = 16;

  private final AtomicLong word = new AtomicLong();
  private final AtomicLongArray cells;
  private final int mask;
  private final Runnable onQuiescent;
  private final Object sealLock = new Object();
  /** Set before the cells are sealed: later operations skip them (a shortcut, not the guard). */
  private volatile boolean sealing;
  /** Set once the cells are summed into the shared word: {@link #count()} is exact from then. */
  private volatile boolean sealed;

  /**
   * Creates a counter with cells for the machine's processors.
   *
   * @param onQuiescent run once, on the thread that brought the count to zero while closing
   */
  public InflightCounter(Runnable onQuiescent) {
    this(onQuiescent, Runtime.getRuntime().availableProcessors() * 2);
  }

  /**
   * Creates a counter.
   *
   * @param onQuiescent run once, on the thread that brought the count to zero while closing
   * @param minCells the fewest cells; rounded up to a power of two, at most 256
   */
  InflightCounter(Runnable onQuiescent, int minCells) {
    int n = Integer.highestOneBit(Math.max(2, Math.min(256, minCells)) * 2 - 1);
    this.mask = n - 1;
    // One stride of padding before the first cell keeps it off the array header's line.
    this.cells = new AtomicLongArray((n + 1) * STRIDE);
    this.onQuiescent = onQuiescent;
  }

  /**
   * Counts one request in.
   *
   * @return true when counted; false when the drain already completed (nothing is counted)
   */
  public boolean enter() {
    return enter(stripe());
  }

  /**
   * Counts one request in on a given cell.
   *
   * @param stripe any int; taken modulo the number of cells
   * @return true when counted; false when the drain already completed
   */
  boolean enter(int stripe) {
    if (!sealing && cells.getAndIncrement(index(stripe)) > SEALED_BELOW) {
      return true;
    }
    long before = word.getAndIncrement();
    if ((before & DONE) != 0) {
      word.getAndDecrement();
      return false;
    }
    return true;
  }

  /** Counts one request out; must follow exactly one successful {@link #enter()}. */
  public void exit() {
    exit(stripe());
  }

  /**
   * Counts one request out on a given cell, which need not be the one it entered on.
   *
   * @param stripe any int; taken modulo the number of cells
   */
  void exit(int stripe) {
    if (!sealing && cells.getAndDecrement(index(stripe)) > SEALED_BELOW) {
      return;
    }
    if (word.decrementAndGet() == CLOSING) {
      complete();
    }
  }

  /**
   * Makes the count exact: seals every cell and moves its sum to the shared word. Requests that
   * begin or end meanwhile are counted once, on their cell before it is sealed or on the shared
   * word after. Calling it again does nothing; a concurrent caller returns once the seal is done.
   */
  public void seal() {
    if (sealed) {
      return;
    }
    synchronized (sealLock) {
      if (sealed) {
        return;
      }
      word.getAndAdd(SEAL_BIAS);
      sealing = true;
      long sum = 0;
      for (int i = 0; i <= mask; i++) {
        sum += cells.getAndSet((i + 1) * STRIDE, SEALED);
      }
      if (word.addAndGet(sum - SEAL_BIAS) == CLOSING) {
        complete();
      }
      sealed = true;
    }
  }

  /**
   * Starts waiting for zero, sealing first if needed; completes at once when nothing is in
   * flight. Calling it again does nothing.
   */
  public void startClosing() {
    seal();
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
    seal();
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
   * @return exact once {@link #seal()} returned; before that, the sum of the cells read one after
   *     another, exact when nothing begins or ends during the read (as {@code LongAdder.sum()})
   */
  public long count() {
    if (sealed) {
      return word.get() & COUNT_MASK;
    }
    long sum = 0;
    for (int i = 0; i <= mask; i++) {
      long cell = cells.get((i + 1) * STRIDE);
      if (cell <= SEALED_BELOW) {
        return sealedCount(); // sealing right now: wait for the exact count
      }
      sum += cell;
    }
    return Math.max(0, sum);
  }

  private long sealedCount() {
    seal();
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

  private int index(int stripe) {
    return ((stripe & mask) + 1) * STRIDE;
  }

  private static int stripe() {
    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same value
    long id = Thread.currentThread().getId();
    return (int) id;
  }

  private void complete() {
    if (word.compareAndSet(CLOSING, CLOSING | DONE)) {
      onQuiescent.run();
    }
  }
}

package dev.drain.core;

import dev.drain.core.internal.SystemDrainClock;
import java.time.Duration;

/**
 * The source of time for a {@link Drain}: a monotonic ticker plus a way to run a task later.
 *
 * <p>Every time rule of the library (propagation delay, quiet period, deadline, stall timeout,
 * upload rate) reads time through this interface, so a test can drive a drain with a manual clock
 * and get exact results. The default, {@link #system()}, reads {@link System#nanoTime()} and runs
 * tasks on one shared daemon thread.
 */
public interface DrainClock {

  /**
   * Returns the current value of a monotonic time source in nanoseconds; only differences
   * between two readings are meaningful.
   *
   * @return nanoseconds since an arbitrary origin
   */
  long nanoTime();

  /**
   * Runs {@code task} once, no earlier than {@code delay} from now. A zero or negative delay runs
   * it as soon as possible (never on the calling thread for the system clock).
   *
   * @param task what to run; must not be null
   * @param delay how long to wait; must not be null
   * @return a handle that cancels the task if it has not started yet
   */
  Cancellable schedule(Runnable task, Duration delay);

  /**
   * Returns the clock backed by {@link System#nanoTime()} and a shared daemon scheduler thread.
   *
   * @return the system clock; never null
   */
  static DrainClock system() {
    return SystemDrainClock.INSTANCE;
  }

  /** A scheduled task that can still be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not started; calling it again, or after the run, does nothing. */
    void cancel();
  }
}

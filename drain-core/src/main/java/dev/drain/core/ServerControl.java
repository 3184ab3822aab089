package dev.drain.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What the {@link ShutdownCoordinator} asks of the server during a drain. Adapters implement it
 * for their server (Jetty, Tomcat, Netty); both methods default to doing nothing.
 */
public interface ServerControl {

  /**
   * Called once when the propagation delay is over: close idle keep-alive connections and stop
   * accepting new ones, without touching requests in flight. Must not block for long.
   *
   * @throws Exception when it fails; the failure is logged and the drain goes on
   */
  default void stopAccepting() throws Exception {}

  /**
   * Called once after the drain completed: stop the server within {@code remaining}. The {@link
   * ShutdownCoordinator} calls this method; its default calls {@link #stop(Duration)}. Override
   * it when the stop depends on how the drain ended:
   *
   * <ul>
   *   <li>{@link DrainResult#deadlineReached()} false: every request ended, but a server may still
   *       be writing the last bytes of a response it completes after the application returned
   *       (Tomcat flushes after the filter chain): let those connections finish before closing
   *       them;
   *   <li>true: the requests still in flight were cut: close their connections at once, so no
   *       server thread stays blocked on them while the process exits.
   * </ul>
   *
   * @param result how the drain ended; never null
   * @param remaining the time left before the grace period ends (SIGKILL), less what the JVM
   *     needs to exit; may be zero
   * @throws Exception when it fails; the failure is logged
   */
  default void stop(DrainResult result, Duration remaining) throws Exception {
    stop(remaining);
  }

  /**
   * Called by the default {@link #stop(DrainResult, Duration)}: stop the server within {@code
   * remaining}.
   *
   * @param remaining the time left before the grace period ends (SIGKILL); may be zero
   * @throws Exception when it fails; the failure is logged
   */
  default void stop(Duration remaining) throws Exception {}

  /**
   * Checks {@code settled} every 5 ms until it holds or {@code budget} runs out, for an
   * implementation of {@link #stop(DrainResult, Duration)} whose server has no event for "the
   * last response went out" (Jetty, Tomcat). Not interruptible: the coordinator's stop must use
   * its budget whatever happens to the calling thread, whose interrupt status is kept.
   *
   * @param settled checked at once and after each pause; may do work of its own, such as closing
   *     connections that became idle
   * @param budget how long to keep checking; zero or negative checks once
   * @return whether {@code settled} held before the budget ran out
   */
  static boolean pollUntil(BooleanSupplier settled, Duration budget) {
    Objects.requireNonNull(settled, "settled");
    long deadline = System.nanoTime() + Math.max(0, budget.toNanos());
    boolean interrupted = false;
    try {
      while (!settled.getAsBoolean()) {
        if (System.nanoTime() - deadline >= 0) {
          return false;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        // parkNanos returns at once while the flag is set: clear it, restore it at the end
        interrupted |= Thread.interrupted();
      }
      return true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

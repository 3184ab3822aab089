package dev.drain.core;

import java.time.Duration;

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
}

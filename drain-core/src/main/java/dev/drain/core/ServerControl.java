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
   * Called once after the drain completed: stop the server within {@code remaining}.
   *
   * @param remaining the time left before the grace period ends (SIGKILL); may be zero
   * @throws Exception when it fails; the failure is logged
   */
  default void stop(Duration remaining) throws Exception {}
}

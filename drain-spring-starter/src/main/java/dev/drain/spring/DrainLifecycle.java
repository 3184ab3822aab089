package dev.drain.spring;

import dev.drain.core.DrainResult;
import dev.drain.core.ShutdownCoordinator;
import java.util.Objects;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the drain when the application context closes (on SIGTERM, through Spring Boot's shutdown
 * hook), in a phase that stops before the web server's graceful shutdown: readiness turns false
 * while the server still serves, the propagation delay passes, requests in flight finish under the
 * upload-aware deadline, and only then does Spring Boot go on to stop the web server.
 *
 * <p>The drain runs on its own thread and reports to Spring's callback when done, so Spring's
 * {@code spring.lifecycle.timeout-per-shutdown-phase} bounds it like any asynchronous stop; the
 * starter defaults that timeout to {@code drain.grace-period}.
 */
public final class DrainLifecycle implements SmartLifecycle {

  /**
   * One above Spring Boot's {@code WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE}
   * ({@code DEFAULT_PHASE - 1024}): lifecycles stop from the highest phase down, so the drain
   * ends before the web server's own graceful shutdown starts.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024 + 1;

  private final ShutdownCoordinator coordinator;
  private volatile boolean running;
  private volatile DrainResult result;

  /**
   * Creates the lifecycle.
   *
   * @param coordinator runs the drain and the server's stop; must not be null
   */
  public DrainLifecycle(ShutdownCoordinator coordinator) {
    this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    drain();
  }

  @Override
  public void stop(Runnable callback) {
    Thread thread = new Thread(() -> {
      try {
        drain();
      } finally {
        callback.run();
      }
    }, "graceful-drain-lifecycle");
    thread.start();
  }

  private void drain() {
    try {
      result = coordinator.shutdown(
          ShutdownCoordinator.isJvmShuttingDown() ? "SIGTERM" : "context closed");
    } finally {
      running = false;
    }
  }

  /**
   * Returns the drain's result once the lifecycle has stopped.
   *
   * @return the result, or null before
   */
  public DrainResult result() {
    return result;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}

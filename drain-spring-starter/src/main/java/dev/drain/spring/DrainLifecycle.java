package dev.drain.spring;

import dev.drain.core.Drain;
import dev.drain.core.DrainResult;
import dev.drain.core.DrainState;
import dev.drain.core.ServerControl;
import dev.drain.core.ShutdownCoordinator;
import java.util.Objects;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;

/**
 * Runs the drain when the application context closes (on SIGTERM, through Spring Boot's shutdown
 * hook). The drain starts at the context's {@link ContextClosedEvent}, before any lifecycle
 * stops (message listeners and schedulers in higher phases may take a while, and the deadline
 * counts from SIGTERM): readiness turns false while the server still serves and the propagation
 * delay runs. This lifecycle, in a phase that stops before the web server's graceful shutdown,
 * then waits for the requests in flight under the upload-aware deadline and stops the server's
 * connections; only then does Spring Boot go on to stop the web server. A {@code stop()} or
 * {@code pause()} of a context that is not closing drains nothing.
 *
 * <p>The drain runs on its own thread and reports to Spring's callback when done, so Spring's
 * {@code spring.lifecycle.timeout-per-shutdown-phase} bounds it like any asynchronous stop; the
 * starter defaults that timeout to {@code drain.grace-period}.
 */
public final class DrainLifecycle implements SmartLifecycle,
    ApplicationListener<ContextClosedEvent>, ApplicationContextAware, Ordered {

  /**
   * One above Spring Boot's {@code WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE}
   * ({@code DEFAULT_PHASE - 1024}): lifecycles stop from the highest phase down, so the drain
   * ends before the web server's own graceful shutdown starts.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024 + 1;

  private final Drain drain;
  private final ShutdownCoordinator coordinator;
  private volatile ApplicationContext context;
  private volatile boolean running;
  private volatile DrainResult result;
  private volatile long closedAtNanos = System.nanoTime();

  /**
   * Creates the lifecycle.
   *
   * @param drain the drain; must not be null
   * @param coordinator runs the drain and the server's stop; must not be null
   */
  public DrainLifecycle(Drain drain, ShutdownCoordinator coordinator) {
    this.drain = Objects.requireNonNull(drain, "drain");
    this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
  }

  @Override
  public void setApplicationContext(ApplicationContext applicationContext) {
    this.context = applicationContext;
  }

  /**
   * Starts the drain when this application's context (not a child's) begins to close, if the
   * application is ready and serves: a context closed before it was ready (a failed start,
   * SIGTERM during startup) or without a server (a test's mock web environment, a context with
   * no web server) has no traffic to drain, so its close waits for no delay and no request (a
   * MockMvc async request never dispatched would hold it to the deadline). A drain already
   * started ({@code POST /actuator/drain}) runs to its end either way.
   */
  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    if (event.getApplicationContext() == context && drain.state() == DrainState.SERVING
        && serves()) {
      closedAtNanos = System.nanoTime();
      coordinator.startDrain(reason());
    }
  }

  /** Whether a server takes traffic: Spring Boot's web server, or the application's own. */
  private boolean serves() {
    if (context instanceof WebServerApplicationContext web && web.getWebServer() != null) {
      return true;
    }
    ServerControl own = context == null ? null
        : context.getBeanProvider(ServerControl.class).getIfUnique();
    return own != null && !(own instanceof WebServerControl);
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    if (closing()) {
      drain();
    } else {
      running = false;
    }
  }

  @Override
  public void stop(Runnable callback) {
    if (!closing()) {
      running = false; // context.stop() or pause(): nothing to drain
      callback.run();
      return;
    }
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
      result = coordinator.shutdown(reason());
      if (result.deadlineReached() && ShutdownCoordinator.isJvmShuttingDown()) {
        haltBeforeTheGracePeriodEnds();
      }
    } finally {
      running = false;
    }
  }

  /**
   * The drain cut requests that may still run (a handler that ignores interrupts, like a JDBC
   * call), and the rest of the shutdown (the web server's stop, which waits for its threads; the
   * other beans) could outlive the grace period, so that the platform kills the process
   * mid-shutdown. A daemon thread halts the JVM with 143 (SIGTERM's status) half the safety
   * margin before the grace period ends, if it has not exited by then.
   */
  private void haltBeforeTheGracePeriodEnds() {
    long sigterm = closedAtNanos;
    long haltAt = sigterm + drain.config().afterSigterm().toNanos()
        - drain.config().safetyMargin().toNanos() / 2;
    Thread watchdog = new Thread(() -> {
      long wait;
      while ((wait = haltAt - System.nanoTime()) > 0) {
        try {
          java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException ignored) {
          // only the halt ends this thread
        }
      }
      System.err.println("graceful-drain: the shutdown is still running "
          + drain.config().safetyMargin().dividedBy(2).toMillis()
          + " ms before the grace period ends (a request cut at the deadline holds it); halting");
      System.err.flush();
      Runtime.getRuntime().halt(143);
    }, "graceful-drain-exit-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private boolean closing() {
    return drain.state().compareTo(DrainState.DRAINING) >= 0;
  }

  private static String reason() {
    return ShutdownCoordinator.isJvmShuttingDown() ? "SIGTERM" : "context closed";
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

  /** Not pauseable: a paused context keeps its server, and a drain cannot be undone. */
  @Override
  public boolean isPauseable() {
    return false;
  }
}

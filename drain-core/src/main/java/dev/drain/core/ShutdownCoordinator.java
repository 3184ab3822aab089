package dev.drain.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the shutdown sequence of a plain application on SIGTERM (or SIGINT):
 *
 * <ol>
 *   <li>{@link Drain#startDrain(String)}: readiness false at once, responses get {@code
 *       Connection: close};
 *   <li>keep serving through the propagation delay and quiet period (idle keep-alive connections
 *       stay open: a proxy may be about to reuse them);
 *   <li>{@link ServerControl#stopAccepting()}: close idle connections, stop accepting;
 *   <li>wait for requests in flight, at most until the drain deadline;
 *   <li>{@link ServerControl#stop(Duration)}, waited for only until shortly before the grace
 *       period ends, and log the result.
 * </ol>
 *
 * <p>All of it ends before the grace period. The JVM then exits with its own status for the
 * signal (143 for SIGTERM); the coordinator never calls {@code Runtime.halt}, so other shutdown
 * hooks (logging, metrics) still run. A second signal changes nothing.
 */
public final class ShutdownCoordinator {

  private static final System.Logger LOG = System.getLogger("dev.drain");

  /** Time kept back from the server's stop before the grace period ends. */
  private static final Duration STOP_RESERVE = Duration.ofMillis(250);

  private final Drain drain;
  private final ServerControl control;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final CompletableFuture<DrainResult> done = new CompletableFuture<>();
  private volatile Thread hook;

  private ShutdownCoordinator(Drain drain, ServerControl control) {
    this.drain = Objects.requireNonNull(drain, "drain");
    this.control = Objects.requireNonNull(control, "control");
    drain.addListener(this::onEvent);
  }

  /**
   * Creates a coordinator that calls {@code control} during drains, without a shutdown hook (for
   * frameworks that run {@link #shutdown(String)} from their own lifecycle).
   *
   * @param drain the drain
   * @param control the server
   * @return the coordinator
   */
  public static ShutdownCoordinator create(Drain drain, ServerControl control) {
    return new ShutdownCoordinator(drain, control);
  }

  /**
   * Creates a coordinator and installs a JVM shutdown hook that runs {@link #shutdown(String)}
   * with the reason {@code "SIGTERM"}.
   *
   * @param drain the drain
   * @param control the server
   * @return the coordinator
   */
  public static ShutdownCoordinator install(Drain drain, ServerControl control) {
    ShutdownCoordinator coordinator = new ShutdownCoordinator(drain, control);
    Thread thread = new Thread(() -> coordinator.shutdown("SIGTERM"), "graceful-drain-shutdown");
    coordinator.hook = thread;
    Runtime.getRuntime().addShutdownHook(thread);
    return coordinator;
  }

  /**
   * Removes the shutdown hook, if {@link #install} added one and the JVM is not shutting down.
   *
   * @return whether a hook was removed
   */
  public boolean uninstall() {
    Thread thread = hook;
    if (thread == null) {
      return false;
    }
    try {
      return Runtime.getRuntime().removeShutdownHook(thread);
    } catch (IllegalStateException shuttingDown) {
      return false;
    }
  }

  /**
   * Runs the whole sequence and returns when the server is stopped. Safe to call from several
   * threads and more than once: the sequence runs once and every caller gets its result.
   *
   * @param reason what asked for the shutdown, e.g. {@code "SIGTERM"}
   * @return the drain's result
   */
  public DrainResult shutdown(String reason) {
    long startNanos = System.nanoTime();
    CompletableFuture<DrainResult> drained = drain.startDrain(reason).toCompletableFuture();
    if (!stopped.compareAndSet(false, true)) {
      return done.join();
    }
    DrainConfig config = drain.config();
    DrainResult result;
    try {
      result = drained.get(config.drainBudget().plusSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result = drain.completion().toCompletableFuture().getNow(null);
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(System.Logger.Level.ERROR, "graceful-drain: drain did not complete in time", e);
      result = null;
    }
    Duration remaining = config.gracePeriod().minusNanos(System.nanoTime() - startNanos);
    stopServer(remaining.isNegative() ? Duration.ZERO : remaining);
    if (result == null) {
      result = new DrainResult(reason, Duration.ofNanos(System.nanoTime() - startNanos), true,
          java.util.List.of(), drain.inflight(), drain.status().refused());
    }
    done.complete(result);
    return result;
  }

  /**
   * Runs the server's stop on its own thread and waits for it only while the grace period
   * allows: a server whose stop hangs (a worker blocked on a cut upload, say) must not make the
   * platform SIGKILL the process before the other shutdown hooks ran.
   */
  private void stopServer(Duration remaining) {
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Thread stopper = new Thread(() -> {
      try {
        control.stop(remaining);
        stopped.complete(null);
      } catch (Exception | Error e) {
        stopped.completeExceptionally(e);
      }
    }, "graceful-drain-server-stop");
    stopper.setDaemon(true);
    stopper.start();
    Duration wait = remaining.minus(STOP_RESERVE.compareTo(remaining.dividedBy(2)) < 0
        ? STOP_RESERVE : remaining.dividedBy(2));
    try {
      stopped.get(Math.max(1, wait.toNanos()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.log(System.Logger.Level.ERROR, "graceful-drain: server stop failed", e.getCause());
    } catch (TimeoutException e) {
      LOG.log(System.Logger.Level.WARNING, "graceful-drain: server stop still running after "
          + wait.toMillis() + " ms; going on so the process ends before the grace period");
    }
  }

  private void onEvent(DrainEvent event) {
    if (event instanceof DrainEvent.StopAccepting) {
      try {
        control.stopAccepting();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.ERROR, "graceful-drain: stop accepting failed", e);
      }
    }
  }
}

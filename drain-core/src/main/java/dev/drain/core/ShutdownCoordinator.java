package dev.drain.core;

import dev.drain.core.internal.DrainLog;

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
 *   <li>{@link ServerControl#stop(DrainResult, Duration)}, waited for only until {@link
 *       #EXIT_RESERVE} before the grace period ends, so the JVM's own exit fits too.
 * </ol>
 *
 * <p>All of it ends before the grace period. The JVM then exits with its own status for the
 * signal (143 for SIGTERM); the coordinator never calls {@code Runtime.halt}, so other shutdown
 * hooks (logging, metrics) still run. A second signal changes nothing.
 */
public final class ShutdownCoordinator {


  /**
   * Time kept back at the end of the grace period for the JVM's own exit once the coordinator
   * returns: HotSpot waits up to 300 ms for threads still in native code (a server thread blocked
   * on a socket, a selector), then the other shutdown hooks run.
   */
  public static final Duration EXIT_RESERVE = Duration.ofMillis(500);

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
    // shutdown() sees that the JVM is shutting down and keeps the drain's log visible.
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
   * threads and more than once: the sequence runs once and every caller gets its result. An
   * interrupt does not cut the sequence short: the call still waits for the drain and the
   * server's stop, then returns with the thread's interrupt status set again.
   *
   * @param reason what asked for the shutdown, e.g. {@code "SIGTERM"}
   * @return the drain's result
   */
  public DrainResult shutdown(String reason) {
    long startNanos = System.nanoTime();
    CompletableFuture<DrainResult> drained = startDrain(reason).toCompletableFuture();
    if (!stopped.compareAndSet(false, true)) {
      return joinUninterruptibly(done);
    }
    boolean interrupted = Thread.interrupted();
    DrainConfig config = drain.config();
    DrainResult result;
    try {
      result = drained.get(config.drainBudget().plusSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
      result = waitUninterruptibly(drained, config.drainBudget().plusSeconds(1));
    } catch (ExecutionException | TimeoutException e) {
      DrainLog.write(System.Logger.Level.ERROR, "graceful-drain: drain did not complete in time", e);
      result = null;
    }
    if (result == null) {
      result = new DrainResult(reason, Duration.ofNanos(System.nanoTime() - startNanos), true,
          java.util.List.of(), drain.inflight(), drain.status().refused(), 0);
    }
    // Counted from the drain's own start when it began before this call (startDrain).
    long elapsed = Math.max(System.nanoTime() - startNanos,
        drain.sinceDrainStart().orElse(Duration.ZERO).toNanos());
    Duration remaining = config.afterSigterm().minusNanos(elapsed);
    interrupted |= stopServer(result, remaining.isNegative() ? Duration.ZERO : remaining);
    done.complete(result);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return result;
  }

  /**
   * Returns the stage completed when {@link #shutdown(String)} has run to its end: the drain is
   * over and the server's stop returned (or its budget ran out). Pending until a shutdown starts.
   *
   * @return the stage, completed with the drain's result
   */
  public java.util.concurrent.CompletionStage<DrainResult> termination() {
    return done.minimalCompletionStage();
  }

  /**
   * Blocks until {@link #shutdown(String)} has run to its end (see {@link #termination()}): what
   * a plain application's {@code main} calls where it would wait for its server channel to close,
   * so that nothing in {@code main} (a {@code finally} that shuts Netty's event loops down, say)
   * runs while the drain still serves. Returns at once when the shutdown is already over.
   *
   * @return the drain's result
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public DrainResult awaitTermination() throws InterruptedException {
    try {
      return done.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("graceful-drain: shutdown failed", e.getCause());
    }
  }

  /**
   * Starts the drain now without waiting for it, for a framework that learns of the shutdown
   * before its sequence reaches the coordinator (Spring publishes the context's close before it
   * stops its lifecycles): {@link #shutdown(String)} later waits for the same drain and counts
   * the server's stop budget from this start. Calling it again changes nothing.
   *
   * @param reason what asked for the shutdown, e.g. {@code "SIGTERM"}
   * @return the drain's completion
   */
  public java.util.concurrent.CompletionStage<DrainResult> startDrain(String reason) {
    if (isJvmShuttingDown()) {
      // Whichever hook runs us (ours, Spring Boot's, an application's), the JDK's logging may be
      // reset meanwhile: keep the drain's own log visible.
      DrainLog.shuttingDown();
    }
    return drain.startDrain(reason);
  }

  /**
   * Runs the server's stop on its own thread and waits for it only while the grace period
   * allows, keeping {@link #EXIT_RESERVE} for the JVM's own exit: a server whose stop hangs (a
   * worker blocked on a cut upload, say) must not make the platform SIGKILL the process before
   * the other shutdown hooks ran.
   *
   * @return whether the waiting thread was interrupted meanwhile
   */
  private boolean stopServer(DrainResult result, Duration remaining) {
    Duration budget = remaining.compareTo(EXIT_RESERVE) > 0
        ? remaining.minus(EXIT_RESERVE) : Duration.ZERO;
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Thread stopper = new Thread(() -> {
      try {
        control.stop(result, budget);
        stopped.complete(null);
      } catch (Exception | Error e) {
        stopped.completeExceptionally(e);
      }
    }, "graceful-drain-server-stop");
    stopper.setDaemon(true);
    stopper.start();
    boolean interrupted = false;
    long deadline = System.nanoTime() + budget.toNanos();
    while (true) {
      try {
        stopped.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return interrupted;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        DrainLog.write(System.Logger.Level.ERROR, "graceful-drain: server stop failed", e.getCause());
        return interrupted;
      } catch (TimeoutException e) {
        DrainLog.write(System.Logger.Level.WARNING, "graceful-drain: server stop still running after "
            + budget.toMillis() + " ms; going on so the process ends before the grace period");
        return interrupted;
      }
    }
  }

  /**
   * Tells whether the JVM is shutting down (a signal, {@code System.exit}, the last non-daemon
   * thread ending), as a framework's own shutdown hook needs to know to name the drain's reason.
   *
   * @return true once the JVM's shutdown hooks have started
   */
  public static boolean isJvmShuttingDown() {
    Thread probe = new Thread(() -> { }, "graceful-drain-shutdown-probe");
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException shuttingDown) {
      return true;
    }
  }

  /** Waits for the drain through interrupts; the caller restores the interrupt status. */
  private static DrainResult waitUninterruptibly(CompletableFuture<DrainResult> drained,
      Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (true) {
      try {
        return drained.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        // keep waiting: stopping the server now would cut the requests the drain waits for
      } catch (ExecutionException | TimeoutException e) {
        DrainLog.write(System.Logger.Level.ERROR, "graceful-drain: drain did not complete in time", e);
        return null;
      }
    }
  }

  private static DrainResult joinUninterruptibly(CompletableFuture<DrainResult> future) {
    boolean interrupted = false;
    while (true) {
      try {
        DrainResult result = future.get();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        return result;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        throw new IllegalStateException("graceful-drain: shutdown failed", e.getCause());
      }
    }
  }

  private void onEvent(DrainEvent event) {
    if (event instanceof DrainEvent.StopAccepting) {
      try {
        control.stopAccepting();
      } catch (Exception e) {
        DrainLog.write(System.Logger.Level.ERROR, "graceful-drain: stop accepting failed", e);
      }
    }
  }
}

package dev.drain.core.internal;

import dev.drain.core.Admission;
import dev.drain.core.DrainClock;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainResult;
import dev.drain.core.RequestInfo;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One drain's timeline, from its start to its result: the propagation delay and quiet period,
 * then "stop accepting", then waiting for the in-flight count to reach zero or the deadline,
 * with stall checks meanwhile. Every wait is a scheduled task on the {@link DrainClock}; the
 * zero-crossing completes the drain on the thread of the last request.
 */
public final class DrainRun {

  /** What {@link #lastArrival} returns when no request arrived since the drain began. */
  public static final long NO_ARRIVAL = Long.MIN_VALUE;


  private final DrainConfig config;
  private final DrainClock clock;
  private final InflightTracker tracker;
  private final UploadPolicy policy;
  private final Listeners listeners;
  private final String reason;
  private final LongSupplier lastArrival;
  private final LongSupplier refused;
  private final Consumer<DrainResult> onDone;
  private final AtomicBoolean stoppedAccepting = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final LongAdder admittedUploads = new LongAdder();
  private final Queue<DrainClock.Cancellable> timers = new ConcurrentLinkedQueue<>();
  private final long startNanos;
  private final long deadlineNanos;

  /**
   * Creates the run; the drain starts now. Call {@link #start()} next.
   *
   * @param config the settings
   * @param tracker the tracker whose zero-crossing calls {@link #onQuiescent()}
   * @param policy the policy
   * @param listeners where events go
   * @param reason what started the drain
   * @param lastArrival the time of the last request begun since the drain started, or {@link
   *     #NO_ARRIVAL}
   * @param refused how many requests were refused
   * @param onDone receives the result once
   */
  public DrainRun(
      DrainConfig config,
      InflightTracker tracker,
      UploadPolicy policy,
      Listeners listeners,
      String reason,
      LongSupplier lastArrival,
      LongSupplier refused,
      Consumer<DrainResult> onDone) {
    this.config = config;
    this.clock = config.clock();
    this.tracker = tracker;
    this.policy = policy;
    this.listeners = listeners;
    this.reason = reason;
    this.lastArrival = lastArrival;
    this.refused = refused;
    this.onDone = onDone;
    this.startNanos = clock.nanoTime();
    this.deadlineNanos = startNanos + config.drainBudget().toNanos();
  }

  /**
   * Makes the in-flight count exact, logs uploads that cannot finish and schedules the delay, the
   * deadline and stall checks. The delay and the deadline count from the drain's start, not from
   * now: the listeners of the start and a cold logger may take a while, and that time must not
   * push the deadline towards the platform's SIGKILL.
   */
  public void start() {
    tracker.seal();
    for (String line : policy.unfinishable(tracker, startNanos, startNanos, deadlineNanos)) {
      DrainLog.write(System.Logger.Level.WARNING, "graceful-drain: upload may not finish: " + line);
    }
    schedule(this::afterDelay, sinceStart(config.propagationDelay()));
    schedule(this::onDeadline, sinceStart(config.drainBudget()));
    schedule(this::checkStalls, stallCheckInterval());
  }

  /**
   * Returns when the drain started.
   *
   * @return the start on the clock's scale
   */
  public long startNanos() {
    return startNanos;
  }

  /**
   * Returns when the drain must end at the latest.
   *
   * @return the deadline on the clock's scale
   */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /**
   * Decides on a request arriving during this drain.
   *
   * @param info the request
   * @return the decision
   */
  public Admission admit(RequestInfo info) {
    Admission decision =
        policy.admit(info, clock.nanoTime(), deadlineNanos, !stoppedAccepting.get(), tracker);
    if (decision.admitted() && UploadRates.isUpload(info)) {
      admittedUploads.increment();
    }
    return decision;
  }

  /** Called by the tracker when the last request ended while closing. */
  public void onQuiescent() {
    finish(false);
  }

  private void afterDelay() {
    if (finished.get()) {
      return;
    }
    long now = clock.nanoTime();
    long delay = config.propagationDelay().toNanos();
    long cap = startNanos + Math.max(delay, config.drainBudget().toNanos() / 2);
    long last = lastArrival.getAsLong();
    long quietEnd = last == NO_ARRIVAL ? now : last + config.quietPeriod().toNanos();
    if (now >= quietEnd || now >= cap) {
      stopAccepting();
    } else {
      schedule(this::afterDelay, Duration.ofNanos(Math.min(quietEnd, cap) - now));
    }
  }

  private void stopAccepting() {
    if (!stoppedAccepting.compareAndSet(false, true)) {
      return;
    }
    long inflight = tracker.inflight();
    listeners.fire(new DrainEvent.StopAccepting(inflight));
    DrainLog.write(System.Logger.Level.INFO, () -> "graceful-drain: stopped accepting; " + inflight
        + " request(s) in flight");
    tracker.startClosing();
  }

  private void onDeadline() {
    stopAccepting();
    if (tracker.forceDone()) {
      finish(true);
    }
  }

  private void checkStalls() {
    if (finished.get()) {
      return;
    }
    for (var upload : policy.newlyStalled(tracker, clock.nanoTime())) {
      listeners.fire(new DrainEvent.StallDetected(upload));
    }
    schedule(this::checkStalls, stallCheckInterval());
  }

  private void finish(boolean deadlineReached) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    DrainClock.Cancellable timer;
    while ((timer = timers.poll()) != null) {
      timer.cancel();
    }
    // what closed before its response while draining, then what the deadline cut
    List<DrainResult.CutRequest> cut = new java.util.ArrayList<>(tracker.abortedUploads());
    long cutWithoutBody = tracker.abortedWithoutBody();
    if (deadlineReached) {
      List<DrainResult.CutRequest> atDeadline = policy.cut(tracker);
      cut.addAll(atDeadline);
      cutWithoutBody += Math.max(0, tracker.inflight() - atDeadline.size());
    }
    DrainResult result =
        new DrainResult(
            reason,
            Duration.ofNanos(clock.nanoTime() - startNanos),
            deadlineReached,
            cut,
            cutWithoutBody,
            refused.getAsLong(),
            admittedUploads.sum());
    for (DrainResult.CutRequest request : cut) {
      listeners.fire(new DrainEvent.RequestCut(request));
    }
    onDone.accept(result);
  }

  /** Returns how long from now until {@code fromStart} after the drain's start. */
  private Duration sinceStart(Duration fromStart) {
    return Duration.ofNanos(Math.max(0, startNanos + fromStart.toNanos() - clock.nanoTime()));
  }

  private Duration stallCheckInterval() {
    Duration half = config.stallTimeout().dividedBy(2);
    return half.isZero() ? Duration.ofMillis(1) : half;
  }

  private void schedule(Runnable task, Duration delay) {
    if (!finished.get()) {
      timers.add(clock.schedule(task, delay));
    }
  }
}

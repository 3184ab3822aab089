package dev.drain.core;

import dev.drain.core.internal.DrainLog;
import dev.drain.core.internal.DrainRun;
import dev.drain.core.internal.InflightTracker;
import dev.drain.core.internal.Listeners;
import dev.drain.core.internal.UploadPolicy;
import dev.drain.core.internal.UploadRates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one object an application holds: its drain state, readiness, in-flight requests and the
 * upload-aware policy.
 *
 * <pre>{@code
 * Drain drain = Drain.builder().config(DrainConfig.defaults()).build();
 * drain.markReady();                        // once the server listens
 * Admission a = drain.admit(info);          // per request: refuse with 503 when !a.admitted()
 * try (Inflight request = drain.begin(info)) { ... request.onBytes(n) ... }
 * drain.startDrain("SIGTERM");              // or ShutdownCoordinator.install(drain, control)
 * }</pre>
 *
 * <p>All methods are thread-safe. State changes are one-way compare-and-set transitions; each
 * fires one {@link DrainEvent.StateChanged} after the change.
 */
public final class Drain {

  private static final long ARRIVAL_RESOLUTION_NANOS = 1_000_000;

  private final DrainConfig config;
  private final DrainClock clock;
  private final AtomicReference<DrainState> state = new AtomicReference<>(DrainState.STARTING);
  private final Listeners listeners = new Listeners();
  private final InflightTracker tracker;
  private final UploadPolicy policy;
  private final CompletableFuture<DrainResult> completion = new CompletableFuture<>();
  private final CompletionStage<DrainResult> completionView = completion.minimalCompletionStage();
  private final LongAdder refused = new LongAdder();
  private final List<BudgetFinding> findings;
  private volatile DrainRun run;
  private volatile long lastArrivalNanos = DrainRun.NO_ARRIVAL;

  private Drain(Builder builder) {
    this.config = builder.config;
    this.clock = config.clock();
    this.policy = new UploadPolicy(config);
    this.tracker = new InflightTracker(clock, this::onQuiescent,
        new UploadRates(config.uploadRateWindow().toNanos()));
    builder.listeners.forEach(listeners::add);
    this.findings = DrainBudget.check(config);
    DrainBudget.log(findings);
  }

  /**
   * Returns a builder with the default settings.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the settings.
   *
   * @return the settings
   */
  public DrainConfig config() {
    return config;
  }

  /**
   * Returns the current state.
   *
   * @return the state
   */
  public DrainState state() {
    return state.get();
  }

  /**
   * Returns whether readiness probes should pass: true only while {@link DrainState#SERVING}.
   *
   * @return readiness
   */
  public boolean isReady() {
    return state.get() == DrainState.SERVING;
  }

  /**
   * Returns whether a drain has started: responses should then carry {@code Connection: close}.
   *
   * @return true while {@link DrainState#DRAINING} or {@link DrainState#DRAINED}
   */
  public boolean isDraining() {
    return state.get().compareTo(DrainState.DRAINING) >= 0;
  }

  /**
   * Moves {@link DrainState#STARTING} to {@link DrainState#SERVING}.
   *
   * @return true if this call made the drain ready; false if it was ready or draining already
   */
  public boolean markReady() {
    if (state.compareAndSet(DrainState.STARTING, DrainState.SERVING)) {
      listeners.fire(new DrainEvent.StateChanged(DrainState.STARTING, DrainState.SERVING, "ready"));
      return true;
    }
    return false;
  }

  /**
   * Starts draining: readiness turns false at once; requests are served through the propagation
   * delay; then {@link DrainEvent.StopAccepting} asks adapters to close idle connections and stop
   * accepting; the drain completes when nothing is in flight, or at the start plus {@link
   * DrainConfig#drainBudget()}, whichever is first. Calling it again, from any thread, changes
   * nothing and returns the same stage.
   *
   * @param reason what started the drain, e.g. {@code "SIGTERM"}; must not be null
   * @return the stage completed with the result when the drain is over
   */
  public CompletionStage<DrainResult> startDrain(String reason) {
    Objects.requireNonNull(reason, "reason");
    DrainState current;
    while ((current = state.get()).compareTo(DrainState.DRAINING) < 0) {
      // Built before the state flips, so that nothing can fail between readiness turning false
      // and the drain's timers being set.
      DrainRun newRun =
          new DrainRun(config, tracker, policy, listeners, reason,
              () -> lastArrivalNanos, refused::sum, this::onDrained);
      if (state.compareAndSet(current, DrainState.DRAINING)) {
        run = newRun;
        listeners.fire(new DrainEvent.StateChanged(current, DrainState.DRAINING, reason));
        DrainLog.write(System.Logger.Level.INFO, () -> "graceful-drain: draining (" + reason
            + "): readiness is off, serving on through the propagation delay of "
            + config.propagationDelay().toMillis() + " ms; deadline in "
            + config.drainBudget().toMillis() + " ms");
        newRun.start();
        break;
      }
    }
    return completionView;
  }

  /**
   * Returns the stage completed when the drain is over; pending until a drain starts and ends.
   *
   * @return the completion stage
   */
  public CompletionStage<DrainResult> completion() {
    return completionView;
  }

  /**
   * Decides on a new request before its body is read. Always admits before a drain; while
   * draining refuses an upload whose declared length cannot arrive before the deadline at the
   * rate uploads were observed to arrive here (the 10th percentile of recent ones, see {@link
   * DrainConfig#uploadRateWindow()}); without such evidence it admits while the server still
   * accepts connections and plans at {@link DrainConfig#minClientRate()} after that. After the
   * drain refuses everything. A refusal is counted and fires
   * {@link DrainEvent.UploadRefused}; the adapter answers 503 with {@code Retry-After} and {@code
   * Connection: close} without reading the body.
   *
   * @param info the request
   * @return the decision
   */
  public Admission admit(RequestInfo info) {
    Admission decision;
    switch (state.get()) {
      case DRAINING:
        DrainRun current = run;
        decision = current == null ? Admission.admit() : current.admit(info);
        break;
      case DRAINED:
        decision = Admission.refuse("drained: this instance is shutting down", config.retryAfter());
        break;
      default:
        return Admission.admit();
    }
    if (!decision.admitted()) {
      refused.increment();
      listeners.fire(new DrainEvent.UploadRefused(info, decision.reason()));
    }
    return decision;
  }

  /**
   * Begins tracking a request; the handle must be closed on every path.
   *
   * @param info the request
   * @return its handle; {@link Inflight#tracked()} is false when the drain already completed
   */
  public Inflight begin(RequestInfo info) {
    noteArrival();
    return tracker.begin(info);
  }

  /**
   * While draining, each arrival restarts the quiet period. The time is written at most once per
   * millisecond, so that busy threads do not all write one shared line on every request.
   */
  private void noteArrival() {
    if (state.get() == DrainState.DRAINING) {
      long now = clock.nanoTime();
      long last = lastArrivalNanos;
      if (last == DrainRun.NO_ARRIVAL || now - last >= ARRIVAL_RESOLUTION_NANOS) {
        lastArrivalNanos = now;
      }
    }
  }

  /**
   * Returns a handle an adapter re-arms for each request of one connection, so that a bodyless
   * request allocates nothing; see {@link ReusableInflight} for when it may be used.
   *
   * @return a new reusable handle, one per connection
   */
  public ReusableInflight newReusableInflight() {
    ReusableInflight handle = tracker.reusable();
    return info -> {
      noteArrival();
      return handle.begin(info);
    };
  }

  /**
   * Returns the number of requests in flight.
   *
   * <p>While serving, requests are counted on per-thread cells so that they share no cache line,
   * and this is the sum of the cells, read one after another (exact whenever nothing begins or
   * ends during the read, like {@link LongAdder#sum()}). From the start of a drain the count is
   * exact: the cells are sealed into one word.
   *
   * @return the count
   */
  public long inflight() {
    return tracker.inflight();
  }

  /**
   * Returns a snapshot for status pages and {@code GET /drainz}.
   *
   * @return the snapshot
   */
  public DrainStatus status() {
    long now = clock.nanoTime();
    DrainRun current = run;
    Optional<Duration> untilDeadline =
        current == null || state.get() == DrainState.DRAINED
            ? Optional.empty()
            : Optional.of(Duration.ofNanos(Math.max(0, current.deadlineNanos() - now)));
    return new DrainStatus(state.get(), tracker.inflight(), policy.describeAll(tracker, now),
        untilDeadline, refused.sum());
  }

  /**
   * Returns how long ago the drain started, on the drain's clock.
   *
   * @return the time since {@link #startDrain(String)} first ran, or empty before it
   */
  public Optional<Duration> sinceDrainStart() {
    DrainRun current = run;
    return current == null ? Optional.empty()
        : Optional.of(Duration.ofNanos(Math.max(0, clock.nanoTime() - current.startNanos())));
  }

  /**
   * Returns what the budget check found at startup.
   *
   * @return the findings; empty when the settings fit
   */
  public List<BudgetFinding> budgetFindings() {
    return findings;
  }

  /**
   * Adds a listener.
   *
   * @param listener the listener; must not be null
   */
  public void addListener(DrainListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Removes a listener.
   *
   * @param listener the listener
   * @return whether it was registered
   */
  public boolean removeListener(DrainListener listener) {
    return listeners.remove(listener);
  }

  /**
   * Logs a warning on the library's log ({@code dev.drain}), kept visible while the JVM shuts
   * down: for an adapter that finds the drain undermined (its server's threads shut down before
   * the drain ended, say) and must say so where the drain's own lines go.
   *
   * @param message the warning, naming the cause and the fix; must not be null
   */
  public void warn(String message) {
    Objects.requireNonNull(message, "message");
    DrainLog.write(System.Logger.Level.WARNING, () -> message);
  }

  private void onQuiescent() {
    DrainRun current = run;
    if (current != null) {
      current.onQuiescent();
    }
  }

  private void onDrained(DrainResult result) {
    DrainState from = state.getAndSet(DrainState.DRAINED);
    if (from != DrainState.DRAINED) {
      listeners.fire(new DrainEvent.StateChanged(from, DrainState.DRAINED, result.reason()));
    }
    listeners.fire(new DrainEvent.Drained(result));
    DrainLog.write(result.clean() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
        () -> "graceful-drain: drained in " + result.duration().toMillis() + " ms"
            + (result.clean() ? ", nothing cut"
                : (result.deadlineReached() ? ", cut at the deadline: "
                    : ", cut by their connection closing before their response: ")
                + result.cut() + " and " + result.cutWithoutBody() + " bodyless request(s)"));
    completion.complete(result);
  }

  /** Builds a {@link Drain}; not thread-safe. */
  public static final class Builder {
    private DrainConfig config = DrainConfig.defaults();
    private final List<DrainListener> listeners = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the settings.
     *
     * @param value the settings; must not be null
     * @return this builder
     */
    public Builder config(DrainConfig value) {
      config = Objects.requireNonNull(value, "config");
      return this;
    }

    /**
     * Adds a listener that sees every event from the start.
     *
     * @param listener the listener; must not be null
     * @return this builder
     */
    public Builder listener(DrainListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the drain in {@link DrainState#STARTING} and logs the budget findings once.
     *
     * @return the drain
     */
    public Drain build() {
      return new Drain(this);
    }
  }
}

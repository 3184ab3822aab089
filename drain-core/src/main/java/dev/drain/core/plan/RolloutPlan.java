package dev.drain.core.plan;

import dev.drain.core.BudgetFinding;
import dev.drain.core.DrainBudget;
import dev.drain.core.DrainConfig;
import dev.drain.core.internal.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The settings every tier needs so that replacing any one of them cuts no request, the largest
 * upload at the slowest client rate included. Every figure is whole seconds, rounded up.
 *
 * <p>The chain is {@code client → GCP load balancer → A nginx http (MIG) → internal load balancer
 * → B nginx stream (MIG) → C Kong (GKE) → D the application}. The plan assumes the slow body may
 * pass through every tier (a tier with request buffering off streams it on), so each tier that
 * can hold an upload gets the upload's time; with A buffering, as nginx does by default, the
 * tiers behind A see the body at network speed and need less.
 *
 * <pre>{@code
 * RolloutPlan plan = RolloutPlan.of(PlanInput.withDefaults(50 * DrainConfig.MEBIBYTE,
 *     DrainConfig.MEBIBYTE, Platform.GKE));
 * System.out.println(plan.toMarkdown());
 * }</pre>
 */
public final class RolloutPlan {

  /** GCP's cap on a backend service's {@code connectionDraining.drainingTimeoutSec}. */
  public static final Duration MAX_CONNECTION_DRAINING = Duration.ofSeconds(3600);
  /** The time a GCE VM's shutdown gets before it is powered off (shutdown-script budget). */
  public static final Duration VM_SHUTDOWN_BUDGET = Duration.ofSeconds(90);
  /** What a stop at VM shutdown leaves of {@link #VM_SHUTDOWN_BUDGET} for the rest of it. */
  static final Duration VM_SHUTDOWN_RESERVE = Duration.ofSeconds(10);
  /** GCP load balancers keep idle connections to backends this long (fixed). */
  public static final Duration GCP_LB_KEEPALIVE = Duration.ofSeconds(600);
  /** The keep-alive GCP recommends for backends behind its load balancers. */
  public static final Duration GCP_BACKEND_KEEPALIVE = Duration.ofSeconds(620);
  /** Kong's upstream keep-alive pool idle timeout ({@code upstream_keepalive_idle_timeout}). */
  public static final Duration KONG_POOL_IDLE = Duration.ofSeconds(60);
  /**
   * nginx A's upstream {@code keepalive_timeout} and {@code keepalive_time} towards B: the
   * load balancer in front of B and B itself keep established TCP sessions to a removed instance
   * (connection tracking, a stream proxy's own sessions), and A keeps sending new requests over
   * its pooled connections; with both limits A ends each pooled connection at most this long
   * after it was last used or opened, so that no request reaches a removed B or Kong after it.
   */
  public static final Duration A_UPSTREAM_KEEPALIVE = Duration.ofSeconds(10);
  /** GCP health check: interval, timeout and thresholds the plan assumes (GCP's defaults). */
  static final int HC_INTERVAL = 5;
  static final int HC_TIMEOUT = 5;
  static final int HC_HEALTHY = 2;
  static final int HC_UNHEALTHY = 2;

  private final PlanInput input;
  private final long upload;
  private final long margin;
  private final DrainConfig app;

  private RolloutPlan(PlanInput input, long upload, long margin, DrainConfig app) {
    this.input = input;
    this.upload = upload;
    this.margin = margin;
    this.app = app;
  }

  /**
   * Plans for {@code input}.
   *
   * @param input what to plan for
   * @return the plan
   * @throws IllegalArgumentException when no setting can make the upload survive: the message
   *     names the platform limit that is hit and what to change
   */
  public static RolloutPlan of(PlanInput input) {
    long uploadSeconds = Durations.ceilSeconds(DrainBudget.uploadTime(input.maxUploadBytes(),
        input.minClientRate()));
    long marginSeconds = Durations.ceilSeconds(input.safetyMargin());
    long draining = uploadSeconds + marginSeconds;
    if (draining > MAX_CONNECTION_DRAINING.toSeconds()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "an upload of %s at %s/s takes %d s; a load balancer must drain it for %d s with the"
              + " margin, but GCP caps connection draining (drainingTimeoutSec) at %d s: raise"
              + " --min-client-rate or lower --max-upload", size(input.maxUploadBytes()),
          size(input.minClientRate()), uploadSeconds, draining,
          MAX_CONNECTION_DRAINING.toSeconds()));
    }
    DrainConfig.Builder app = DrainConfig.builder()
        .propagationDelay(input.propagationDelay())
        .safetyMargin(input.safetyMargin())
        .preStopDuration(input.preStop())
        .quietPeriod(Duration.ZERO)
        .maxUploadSize(input.maxUploadBytes())
        .minClientRate(input.minClientRate())
        .upstreamIdleTimeout(KONG_POOL_IDLE)
        .serverIdleTimeout(KONG_POOL_IDLE.plus(DrainBudget.KEEP_ALIVE_HEADROOM));
    Duration grace = DrainBudget.requiredGracePeriod(app.gracePeriod(
        DrainConfig.MAX_DURATION).build());
    if (input.platform() == Platform.MIG
        && grace.compareTo(VM_SHUTDOWN_BUDGET.minus(VM_SHUTDOWN_RESERVE)) > 0) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "on a MIG VM the application drains inside the VM's shutdown, which GCP ends after"
              + " about %d s (%d s kept for the rest of the shutdown); a drain with a %d s"
              + " upload (%s at %s/s), a propagation delay of %d s and a margin of %d s needs"
              + " %d s: run D on GKE, put a load balancer with"
              + " connection draining in front of it and drain there, raise --min-client-rate"
              + " or lower --max-upload", VM_SHUTDOWN_BUDGET.toSeconds(),
          VM_SHUTDOWN_RESERVE.toSeconds(), uploadSeconds,
          size(input.maxUploadBytes()), size(input.minClientRate()),
          Durations.ceilSeconds(input.propagationDelay()), marginSeconds, grace.toSeconds()));
    }
    return new RolloutPlan(input, uploadSeconds, marginSeconds, app.gracePeriod(grace).build());
  }

  /**
   * Returns what the plan was made for.
   *
   * @return the input
   */
  public PlanInput input() {
    return input;
  }

  /**
   * Returns the largest upload's time at the slowest client rate, rounded up.
   *
   * @return the time
   */
  public Duration uploadTime() {
    return Duration.ofSeconds(upload);
  }

  /**
   * Returns the application's drain settings: the library's properties, with {@code grace-period}
   * from {@link DrainBudget#requiredGracePeriod}; {@link DrainBudget#check} finds nothing in them.
   *
   * @return the settings
   */
  public DrainConfig application() {
    return app;
  }

  /**
   * Returns D's grace period: Kubernetes' {@code terminationGracePeriodSeconds} on GKE, the
   * systemd stop timeout on a MIG VM.
   *
   * @return the grace period
   */
  public Duration applicationGracePeriod() {
    return app.gracePeriod();
  }

  /**
   * Returns the GCP backend service's {@code timeoutSec}: it runs from the request's first byte
   * to the response's last, so it holds the upload, the response and the margin.
   *
   * @return the timeout
   */
  public Duration loadBalancerTimeout() {
    return Duration.ofSeconds(upload + 2 * margin);
  }

  /**
   * Returns {@code connectionDraining.drainingTimeoutSec} of the GCP load balancer in front of A:
   * a VM removed from the backend keeps its requests in flight this long.
   *
   * @return the draining timeout
   */
  public Duration connectionDraining() {
    return Duration.ofSeconds(upload + margin);
  }

  /**
   * Returns {@code connectionDraining.drainingTimeoutSec} of the internal passthrough load
   * balancer in front of B: after it, the next packet of a flow to the removed VM gets a reset,
   * so it outlasts an upload streaming through and A's pooled connections, which keep their
   * flows ({@link #A_UPSTREAM_KEEPALIVE}).
   *
   * @return the draining timeout
   */
  public Duration internalConnectionDraining() {
    return Duration.ofSeconds(Math.max(upload, A_UPSTREAM_KEEPALIVE.toSeconds()) + margin);
  }

  /**
   * Returns the MIGs' {@code minReadySec}: the load balancer's health check must find a new VM
   * healthy ({@code healthyThreshold} checks {@code checkIntervalSec} apart) before the next
   * one goes.
   *
   * @return the time
   */
  public Duration minReady() {
    return Duration.ofSeconds((long) HC_INTERVAL * HC_HEALTHY + margin);
  }

  /**
   * Returns how long nginx A's stop waits after SIGQUIT before SIGTERM: the upload's time, within
   * the VM's shutdown budget; the load balancer's connection draining has already let the
   * requests in flight end, so this is for what is left.
   *
   * @return the wait
   */
  public Duration nginxHttpStopWait() {
    return Duration.ofSeconds(Math.min(upload + margin,
        VM_SHUTDOWN_BUDGET.minus(VM_SHUTDOWN_RESERVE).toSeconds()));
  }

  /**
   * Returns how long nginx B (stream) waits after SIGQUIT before SIGTERM: B keeps every TCP
   * session until it closes, and A's pooled connections, busy or idle, end within {@link
   * #A_UPSTREAM_KEEPALIVE}.
   *
   * @return the wait
   */
  public Duration nginxStreamStopWait() {
    return Duration.ofSeconds(A_UPSTREAM_KEEPALIVE.toSeconds() + margin);
  }

  /**
   * Returns {@code kong quit --wait}: Kong keeps serving while the platform stops sending to it
   * (the propagation delay) and then while the pooled connections A opened until then, which
   * reach it through B's established sessions, end ({@link #A_UPSTREAM_KEEPALIVE}), and the
   * margin: a Kong that quits closes its idle connections, and a POST A sends on one as it
   * closes gets 502.
   *
   * @return the wait
   */
  public Duration kongQuitWait() {
    // A may open a connection to this pod until the removal has propagated; it lives up to
    // A_UPSTREAM_KEEPALIVE more
    return Duration.ofSeconds(Durations.ceilSeconds(input.propagationDelay())
        + A_UPSTREAM_KEEPALIVE.toSeconds() + margin);
  }

  /**
   * Returns {@code kong quit --timeout}: after SIGQUIT, Kong's requests in flight (an upload it
   * buffers included) get this long before SIGTERM.
   *
   * @return the timeout
   */
  public Duration kongQuitTimeout() {
    return Duration.ofSeconds(upload + margin);
  }

  /**
   * Returns Kong's pod {@code terminationGracePeriodSeconds}: its {@code preStop} wait, its quit
   * timeout and the margin.
   *
   * @return the grace period
   */
  public Duration kongGracePeriod() {
    return kongQuitWait().plus(kongQuitTimeout()).plus(Duration.ofSeconds(margin));
  }

  /**
   * Returns nginx's {@code client_max_body_size} in mebibytes, rounded up.
   *
   * @return the size in MiB
   */
  public long clientMaxBodySizeMebibytes() {
    return (input.maxUploadBytes() + DrainConfig.MEBIBYTE - 1) / DrainConfig.MEBIBYTE;
  }

  /**
   * Returns the budget check's findings for {@link #application()}; empty for every plan.
   *
   * @return the findings
   */
  public List<BudgetFinding> applicationFindings() {
    return DrainBudget.check(app);
  }

  /**
   * Returns the plan as Markdown: a table of settings per tier and a Mermaid gantt of the
   * application's shutdown.
   *
   * @return the Markdown text
   */
  public String toMarkdown() {
    return PlanMarkdown.render(this);
  }

  /** A byte count as the options take it: {@code 50MB}, {@code 512KB}, {@code 1000B}. */
  static String size(long bytes) {
    if (bytes % DrainConfig.MEBIBYTE == 0) {
      return bytes / DrainConfig.MEBIBYTE + "MB";
    }
    if (bytes % 1024 == 0) {
      return bytes / 1024 + "KB";
    }
    return bytes + "B";
  }
}

package dev.drain.plan;

import dev.drain.core.BudgetFinding;
import dev.drain.core.DrainBudget;
import dev.drain.core.DrainConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The settings every tier needs so that replacing any one of them cuts no request, the largest
 * upload at the slowest client rate included. Every figure is whole seconds, rounded up.
 *
 * <p>The chain is {@code client → GCP load balancer → A nginx http (MIG) → internal load balancer
 * → B nginx stream (MIG) → load balancer in front of GKE → C Kong (GKE) → D the application}. A
 * buffers the body (nginx's default, which the plan sets) and so does Kong: the client's slow
 * upload ends at A, and A to Kong and Kong to D each carry it at {@link #LAN_RATE}. A request
 * then lasts the upload, two LAN transfers, D's processing time and a margin: that is the time
 * the load balancer's {@code timeoutSec} and its connection draining must hold.
 *
 * <p>A and B run on MIG VMs and Kong on GKE whatever {@link PlanInput#platform()} says; it is
 * D's platform. Every stop on a VM (nginx A, nginx B, D on a MIG) must end within {@link
 * #VM_SHUTDOWN_BUDGET} less {@link #VM_SHUTDOWN_RESERVE}, or the plan is refused naming the
 * limit.
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
  /** GCP's default backend service {@code timeoutSec}; the plan never goes below it. */
  public static final Duration GCP_DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /**
   * The time a standard GCE VM's shutdown gets before it is powered off, without Compute
   * Engine's graceful shutdown setting ({@code scheduling.gracefulShutdown.maxDuration}).
   */
  public static final Duration VM_SHUTDOWN_BUDGET = Duration.ofSeconds(90);
  /** The shutdown a Spot or preemptible VM gets after its preemption notice. */
  public static final Duration SPOT_SHUTDOWN_BUDGET = Duration.ofSeconds(30);
  /** What every stop at VM shutdown leaves of the budget for the rest of the shutdown. */
  public static final Duration VM_SHUTDOWN_RESERVE = Duration.ofSeconds(10);
  /** What Debian's nginx unit and the plan's ExecStop give nginx after SIGTERM. */
  static final long NGINX_TERM_WAIT = 5;
  /**
   * The rate a buffered body crosses the LAN at between tiers (A to Kong, Kong to D): 100 MiB/s,
   * about 839 Mbit/s; slower links need more time.
   */
  public static final long LAN_RATE = 100 * DrainConfig.MEBIBYTE;
  /** GCP load balancers keep idle connections to backends this long (fixed). */
  public static final Duration GCP_LB_KEEPALIVE = Duration.ofSeconds(600);
  /** The keep-alive GCP recommends for backends behind its load balancers. */
  public static final Duration GCP_BACKEND_KEEPALIVE = Duration.ofSeconds(620);
  /** Kong's upstream keep-alive pool idle timeout ({@code upstream_keepalive_idle_timeout}). */
  public static final Duration KONG_POOL_IDLE = Duration.ofSeconds(60);
  /**
   * nginx A's upstream {@code keepalive_timeout} and {@code keepalive_time} towards B, each: the
   * load balancers in front of B and Kong and B itself keep established TCP sessions to a
   * removed instance, and A keeps sending new requests over its pooled connections. nginx checks
   * {@code keepalive_time} only when a request ends ("the connection is closed following the
   * subsequent request processing", ngx_http_upstream_module), so a pooled connection may then
   * idle another {@code keepalive_timeout}: it lives at most {@link #aPooledConnectionLife()}
   * after it was opened, plus the request in flight when {@code keepalive_time} passes.
   */
  public static final Duration A_UPSTREAM_KEEPALIVE = Duration.ofSeconds(10);
  /**
   * The internal L4 load balancer GKE builds for Kong's Service with {@code
   * externalTrafficPolicy: Local}: its node health check ({@code healthCheckNodePort}) runs every
   * 3 s and marks a node unhealthy after 2 failures (ingress-gce, pkg/healthchecksl4); with
   * {@code Cluster} it is 8 s and 3 failures (24 s).
   */
  public static final Duration KONG_LB_HEALTH_CHECK_LOCAL = Duration.ofSeconds(3 * 2);
  /** The same health check's time with {@code externalTrafficPolicy: Cluster}: 8 s × 3. */
  public static final Duration KONG_LB_HEALTH_CHECK_CLUSTER = Duration.ofSeconds(8 * 3);
  /** What a GKE Spot or preemptible node gives non-system pods at preemption. */
  public static final Duration GKE_SPOT_POD_BUDGET = Duration.ofSeconds(15);
  /** nginx's and Kong's default read timeout between two reads from the upstream. */
  static final long DEFAULT_READ_TIMEOUT = 60;
  /** GCP health check: interval, timeout and thresholds the plan assumes (GCP's defaults). */
  static final int HC_INTERVAL = 5;
  static final int HC_TIMEOUT = 5;
  static final int HC_HEALTHY = 2;
  static final int HC_UNHEALTHY = 2;

  private final PlanInput input;
  private final long upload;
  private final long lan;
  private final long processing;
  private final long margin;
  private final DrainConfig app;

  private RolloutPlan(PlanInput input, long upload, long lan, long processing, long margin,
      DrainConfig app) {
    this.input = input;
    this.upload = upload;
    this.lan = lan;
    this.processing = processing;
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
    long uploadSeconds = ceilSeconds(DrainBudget.uploadTime(input.maxUploadBytes(),
        input.minClientRate()));
    long lanSeconds = ceilSeconds(DrainBudget.uploadTime(input.maxUploadBytes(), LAN_RATE));
    long processingSeconds = ceilSeconds(input.processingTime());
    long marginSeconds = ceilSeconds(input.safetyMargin());
    long request = uploadSeconds + 2 * lanSeconds + processingSeconds + marginSeconds;
    if (request > MAX_CONNECTION_DRAINING.toSeconds()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "a request with an upload of %s at %s/s lasts %d s (upload %d s, A to Kong and Kong"
              + " to D %d s each, D's processing %d s, margin %d s); the load balancer must"
              + " drain it that long, but GCP caps connection draining (drainingTimeoutSec) at"
              + " %d s: raise --min-client-rate or lower --max-upload",
          size(input.maxUploadBytes()), size(input.minClientRate()), request, uploadSeconds,
          lanSeconds, processingSeconds, marginSeconds, MAX_CONNECTION_DRAINING.toSeconds()));
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
    // the library's rule (the body at the client's rate: conservative, as Kong buffers it and
    // sends it at LAN speed, and right when Kong's request_buffering is off) + D's processing
    Duration grace = DrainBudget.requiredGracePeriod(app.gracePeriod(
        DrainConfig.MAX_DURATION).build()).plusSeconds(processingSeconds);
    RolloutPlan plan = new RolloutPlan(input, uploadSeconds, lanSeconds, processingSeconds,
        marginSeconds, app.gracePeriod(grace).build());
    for (VmStop stop : plan.vmStops()) {
      if (stop.seconds() > vmStopLimit()) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "%s stops inside its VM's shutdown, which GCP ends after about %d s (%d s kept for"
                + " the rest of the shutdown, so %d s at most); it needs %d s (%s): enable"
                + " Compute Engine's graceful shutdown (scheduling.gracefulShutdown.maxDuration)"
                + " for more, run D on GKE, raise --min-client-rate or lower --max-upload",
            stop.tier(), VM_SHUTDOWN_BUDGET.toSeconds(), VM_SHUTDOWN_RESERVE.toSeconds(),
            vmStopLimit(), stop.seconds(), stop.why()));
      }
    }
    return plan;
  }

  /** The longest stop one VM's shutdown holds: the budget less the reserve. */
  static long vmStopLimit() {
    return VM_SHUTDOWN_BUDGET.minus(VM_SHUTDOWN_RESERVE).toSeconds();
  }

  /**
   * A stop that runs inside a VM's shutdown: systemd's {@code TimeoutStopSec}.
   *
   * @param tier the tier, as the plan names it
   * @param seconds systemd's {@code TimeoutStopSec}
   * @param why what it is made of
   */
  public record VmStop(String tier, long seconds, String why) {}

  /**
   * Returns every stop that runs inside a VM's shutdown: nginx A's and B's, and D's on a MIG.
   *
   * @return the stops, A first
   */
  public List<VmStop> vmStops() {
    List<VmStop> stops = new ArrayList<>();
    stops.add(new VmStop("nginx A", nginxStopTimeout(nginxHttpStopWait()),
        "QUIT wait " + nginxHttpStopWait().toSeconds() + " s + TERM " + NGINX_TERM_WAIT + " s + "
            + margin + " s"));
    stops.add(new VmStop("nginx B", nginxStopTimeout(nginxStreamStopWait()),
        "QUIT wait " + nginxStreamStopWait().toSeconds() + " s + TERM " + NGINX_TERM_WAIT
            + " s + " + margin + " s"));
    if (input.platform() == Platform.MIG) {
      stops.add(new VmStop("D", app.gracePeriod().toSeconds(),
          "the library's drain: " + graceWhy()));
    }
    return List.copyOf(stops);
  }

  /**
   * Returns the stops longer than a Spot or preemptible VM's {@link #SPOT_SHUTDOWN_BUDGET} less
   * the reserve allows: on such VMs they are cut.
   *
   * @return the stops, empty when every stop fits
   */
  public List<VmStop> spotOverruns() {
    long limit = SPOT_SHUTDOWN_BUDGET.minus(VM_SHUTDOWN_RESERVE).toSeconds();
    return vmStops().stream().filter(s -> s.seconds() > limit).toList();
  }

  /** systemd's TimeoutStopSec for nginx stopped with a QUIT wait, then TERM, then the margin. */
  long nginxStopTimeout(Duration quitWait) {
    return quitWait.toSeconds() + NGINX_TERM_WAIT + margin;
  }

  String graceWhy() {
    long preStop = ceilSeconds(input.preStop());
    return (preStop > 0 ? "preStop " + preStop + " s + " : "") + "propagation "
        + ceilSeconds(input.propagationDelay()) + " s + upload " + upload + " s at the client's"
        + " rate + margin " + margin + " s, rounded up (the library's budget rule)"
        + (processing > 0 ? " + D's processing " + processing + " s" : "");
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
   * Returns the time a buffered body takes from one tier to the next at {@link #LAN_RATE},
   * rounded up.
   *
   * @return the time
   */
  public Duration lanTransferTime() {
    return Duration.ofSeconds(lan);
  }

  /**
   * Returns how long the largest request lasts from its first byte at the load balancer to its
   * last response byte: the upload, A to Kong and Kong to D at LAN speed, D's processing time and
   * the margin.
   *
   * @return the time
   */
  public Duration requestTime() {
    return Duration.ofSeconds(upload + 2 * lan + processing + margin);
  }

  /**
   * Returns the application's drain settings: the library's properties, with {@code grace-period}
   * from {@link DrainBudget#requiredGracePeriod} plus D's processing time; {@link
   * DrainBudget#check} finds nothing in them.
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
   * to the response's last, so it holds {@link #requestTime()}; never below GCP's default 30 s.
   *
   * @return the timeout
   */
  public Duration loadBalancerTimeout() {
    return requestTime().compareTo(GCP_DEFAULT_TIMEOUT) < 0 ? GCP_DEFAULT_TIMEOUT
        : requestTime();
  }

  /**
   * Returns {@code connectionDraining.drainingTimeoutSec} of the GCP load balancer in front of A:
   * a VM removed from the backend keeps its requests in flight this long, and a request admitted
   * just before the removal may last up to {@link #loadBalancerTimeout()}: the two are equal.
   *
   * @return the draining timeout
   */
  public Duration connectionDraining() {
    return loadBalancerTimeout();
  }

  /**
   * Returns the longest life of one of A's pooled connections to B: {@code keepalive_time}, then
   * (checked only when a request ends) up to {@code keepalive_timeout} idle.
   *
   * @return the life
   */
  public static Duration aPooledConnectionLife() {
    return A_UPSTREAM_KEEPALIVE.plus(A_UPSTREAM_KEEPALIVE);
  }

  /**
   * Returns {@code connectionDraining.drainingTimeoutSec} of the internal passthrough load
   * balancer in front of B: after it, the flows to the removed VM end, so it outlasts a request
   * in flight (the front load balancer's {@code timeoutSec}) and A's pooled connections, which
   * keep their flows ({@link #aPooledConnectionLife()}) plus the margin.
   *
   * @return the draining timeout
   */
  public Duration internalConnectionDraining() {
    return Duration.ofSeconds(Math.max(connectionDraining().toSeconds(),
        aPooledConnectionLife().toSeconds() + margin));
  }

  /**
   * Returns the MIGs' {@code minReadySec}: it counts from the VM being RUNNING (and, with an
   * autohealing health check, seen healthy once), not from the load balancer's health check, so
   * it covers {@code healthyThreshold} checks {@code checkIntervalSec} apart and the margin.
   *
   * @return the time
   */
  public Duration minReady() {
    return Duration.ofSeconds((long) HC_INTERVAL * HC_HEALTHY + margin);
  }

  /**
   * Returns how long nginx A's stop waits after SIGQUIT before SIGTERM: the load balancer's
   * draining ended before the VM shuts down and it sends nothing more, so the wait only lets
   * nginx close what is left: the margin.
   *
   * @return the wait
   */
  public Duration nginxHttpStopWait() {
    return Duration.ofSeconds(margin);
  }

  /**
   * Returns how long nginx B (stream) waits after SIGQUIT before SIGTERM: the internal load
   * balancer's draining, which outlasts A's pooled connections, ended before the VM shuts down;
   * the wait only lets nginx close what is left: the margin.
   *
   * @return the wait
   */
  public Duration nginxStreamStopWait() {
    return Duration.ofSeconds(margin);
  }

  /**
   * Returns how long the load balancer in front of Kong keeps sending new connections to a node
   * whose Kong pod is going away: its node health check's detection with {@code
   * externalTrafficPolicy: Local} ({@link #KONG_LB_HEALTH_CHECK_LOCAL}). A pod leaving removes
   * no backend from that load balancer (its backends are nodes), so its connection draining does
   * not apply; D's propagation delay does not enter.
   *
   * @return the delay, whole seconds
   */
  public Duration kongPropagationDelay() {
    return KONG_LB_HEALTH_CHECK_LOCAL;
  }

  /**
   * Returns {@code kong quit --wait}: Kong keeps serving while the load balancer in front of it
   * stops sending new connections to it ({@link #kongPropagationDelay()}) and then while the
   * pooled connections A opened until then, which reach it through B's established sessions and
   * the node's connection tracking, end ({@link #aPooledConnectionLife()}), and the margin.
   *
   * @return the wait
   */
  public Duration kongQuitWait() {
    return kongPropagationDelay().plus(aPooledConnectionLife()).plusSeconds(margin);
  }

  /**
   * Returns {@code kong quit --timeout}: after SIGQUIT, a request Kong holds gets this long
   * before SIGTERM: its body from A at LAN speed, to D at LAN speed, D's processing and the
   * margin; the upload itself ended at A, which buffers it.
   *
   * @return the timeout
   */
  public Duration kongQuitTimeout() {
    return Duration.ofSeconds(2 * lan + processing + margin);
  }

  /**
   * Returns nginx A's {@code proxy_read_timeout} in seconds: it runs from the body's last byte
   * sent until D's first response byte: the body from A to Kong and on to D, D's processing and
   * the margin; never below nginx's default 60 s.
   *
   * @return the timeout, seconds
   */
  public long nginxProxyReadTimeout() {
    return Math.max(DEFAULT_READ_TIMEOUT, 2 * lan + processing + margin);
  }

  /**
   * Returns Kong's Service {@code read_timeout} in milliseconds: from the body's last byte sent
   * to D until D's first response byte: D's processing and the margin; never below Kong's
   * default 60000 ms.
   *
   * @return the timeout, milliseconds
   */
  public long kongReadTimeoutMillis() {
    return 1000 * Math.max(DEFAULT_READ_TIMEOUT, processing + margin);
  }

  /**
   * Returns Kong's pod {@code terminationGracePeriodSeconds}: its {@code preStop} wait, its quit
   * timeout and the margin.
   *
   * @return the grace period
   */
  public Duration kongGracePeriod() {
    return kongQuitWait().plus(kongQuitTimeout()).plusSeconds(margin);
  }

  /**
   * Returns nginx's {@code client_max_body_size} in mebibytes: a limit on the whole body, so the
   * largest file rounded up plus 1 MiB for a multipart body's boundaries and part headers.
   *
   * @return the size in MiB
   */
  public long clientMaxBodySizeMebibytes() {
    return (input.maxUploadBytes() + DrainConfig.MEBIBYTE - 1) / DrainConfig.MEBIBYTE + 1;
  }

  /**
   * Returns Spring's {@code spring.servlet.multipart.max-request-size} for the largest file: the
   * file plus 1 MiB of multipart framing, never below Spring's default 10 MiB.
   *
   * @return the size in bytes
   */
  public long multipartMaxRequestBytes() {
    return Math.max(10 * DrainConfig.MEBIBYTE, input.maxUploadBytes() + DrainConfig.MEBIBYTE);
  }

  /**
   * Returns D's grace period without the library, with a preStop that outlasts the propagation:
   * the preStop, then the longest request at D (upload at the client's rate, processing) and the
   * margin. Without a preStop it is the library's {@link #applicationGracePeriod()}.
   *
   * @return the grace period
   */
  public Duration graceWithoutLibrary() {
    long preStop = ceilSeconds(input.preStop());
    return preStop == 0 ? app.gracePeriod()
        : Duration.ofSeconds(preStop + upload + processing + margin);
  }

  /**
   * Returns the pods whose {@code terminationGracePeriodSeconds} exceeds what a GKE Spot or
   * preemptible node gives them ({@link #GKE_SPOT_POD_BUDGET}): Kong always, D when it runs on
   * GKE.
   *
   * @return the pods and their grace periods, empty when every one fits
   */
  public List<VmStop> gkeSpotOverruns() {
    List<VmStop> pods = new ArrayList<>();
    pods.add(new VmStop("Kong", kongGracePeriod().toSeconds(), "terminationGracePeriodSeconds"));
    if (input.platform() == Platform.GKE) {
      pods.add(new VmStop("D", app.gracePeriod().toSeconds(), "terminationGracePeriodSeconds"));
    }
    return pods.stream().filter(p -> p.seconds() > GKE_SPOT_POD_BUDGET.toSeconds()).toList();
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

  /**
   * Returns the tasks of the application's shutdown gantt, in seconds from the pod's deletion
   * (or the VM's stop): what {@link #toMarkdown()} draws.
   *
   * @return the tasks in drawing order
   */
  public List<GanttTask> shutdownTimeline() {
    long preStop = ceilSeconds(input.preStop());
    long delay = ceilSeconds(input.propagationDelay());
    long grace = app.gracePeriod().toSeconds();
    List<GanttTask> tasks = new ArrayList<>();
    tasks.add(new GanttTask("Platform", preStop > 0 ? "deleted, endpoint removed, preStop"
        : "SIGTERM, endpoint removed", "m0", 0, 0, true));
    if (preStop > 0) {
      tasks.add(new GanttTask("Platform", "preStop hook", "p0", 0, preStop, false));
      tasks.add(new GanttTask("Platform", "SIGTERM", "m2", preStop, preStop, true));
    }
    tasks.add(new GanttTask("Platform", "grace period", "g0", 0, grace, false));
    tasks.add(new GanttTask("Platform", "SIGKILL", "m1", grace, grace, true));
    tasks.add(new GanttTask("D", "readiness off, serving, Connection close", "d1", preStop,
        preStop + delay, false));
    tasks.add(new GanttTask("D", "last admitted upload finishes", "d2", preStop + delay,
        preStop + delay + upload, false));
    long answered = preStop + delay + upload + processing;
    if (processing > 0) {
      tasks.add(new GanttTask("D", "processing, answer", "d4", preStop + delay + upload,
          answered, false));
    }
    tasks.add(new GanttTask("D", "margin, server stop, exit", "d3", answered, grace, false));
    return List.copyOf(tasks);
  }

  /**
   * One task of a gantt, in whole seconds.
   *
   * @param section the gantt's section
   * @param label the task's text
   * @param id the task's id
   * @param start its start
   * @param end its end; equal to the start for a milestone
   * @param milestone whether it is a milestone
   */
  public record GanttTask(String section, String label, String id, long start, long end,
      boolean milestone) {}

  /** A byte count as the options take it: {@code 50MB}, {@code 512KB}, {@code 1000B}. */
  static String size(long bytes) {
    return Units.size(bytes);
  }

  static long ceilSeconds(Duration d) {
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }
}

package dev.drain.spring;

import dev.drain.core.DrainConfig;
import dev.drain.core.ProbeConfig;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code drain.*} properties: the same keys and values as {@link
 * DrainConfig#fromProperties(java.util.Map)}, bound the Spring way (relaxed names, {@code
 * Duration} and {@code DataSize} conversion), and turned into a {@link DrainConfig} by {@link
 * #toConfig()}. Unknown {@code drain.*} keys fail the start (a typo never keeps a default), and
 * so does a value the drain cannot use, with a report naming the property.
 */
@ConfigurationProperties(prefix = "drain", ignoreUnknownFields = false)
public class DrainProperties {

  /** Whether graceful-drain is on; false leaves Spring Boot's own graceful shutdown alone. */
  private boolean enabled = true;

  /**
   * Time from SIGTERM to SIGKILL: Kubernetes terminationGracePeriodSeconds, which also covers a
   * preStop hook.
   */
  private Duration gracePeriod = Duration.ofSeconds(30);

  /**
   * Finish this long before the grace period ends, for the server's stop and the JVM's exit; the
   * budget check warns under 1s.
   */
  private Duration safetyMargin = Duration.ofSeconds(2);

  /**
   * How long a preStop hook kept in the pod runs before SIGTERM (a sleep, say): the grace period
   * covers it, so the drain has that much less. None needed with the starter.
   */
  private Duration preStopDuration = Duration.ZERO;

  /**
   * Keep serving this long after readiness turns false, so load balancers and kube-proxy stop
   * routing here. Default: 5s when KUBERNETES_SERVICE_HOST is set, else 0s.
   */
  private Duration propagationDelay;

  /**
   * End the propagation delay's extension only after this long without a new request; never
   * before the delay itself.
   */
  private Duration quietPeriod = Duration.ofSeconds(1);

  /** The largest request body expected; the budget check plans the grace period for it. */
  private DataSize maxUploadSize;

  /** The slowest upload rate to plan for, in bytes per second. */
  private DataSize minClientRate = DataSize.ofMegabytes(1);

  /** An upload with no progress for this long is reported as stalled (never cut for it). */
  private Duration stallTimeout = Duration.ofSeconds(10);

  /** How long an ended upload counts as evidence of this instance's client rates. */
  private Duration uploadRateWindow = Duration.ofMinutes(10);

  /**
   * Whether an upload arriving while draining that cannot finish before the deadline gets 503
   * before its body is read.
   */
  private boolean refuseUploadsThatCannotFinish = true;

  /** The Retry-After of a refused request. */
  private Duration retryAfter = Duration.ofSeconds(1);

  /**
   * The upstream proxy's keep-alive pool idle timeout (Kong 60s, GCP load balancers 600s), for
   * the budget check's keep-alive rule.
   */
  private Duration upstreamIdleTimeout;

  /** This server's keep-alive idle timeout, for the budget check's keep-alive rule. */
  private Duration serverIdleTimeout;

  /** The POST start-drain endpoint on the status path. */
  private final Endpoint endpoint = new Endpoint();

  /** The probe paths the adapter answers on the application's own port. */
  private final Probe probe = new Probe();

  /**
   * Returns whether graceful-drain is on.
   *
   * @return true unless switched off
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether graceful-drain is on.
   *
   * @param enabled false to leave Spring Boot's own shutdown alone
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Returns the grace period.
   *
   * @return time from SIGTERM to SIGKILL
   */
  public Duration getGracePeriod() {
    return gracePeriod;
  }

  /**
   * Sets the grace period.
   *
   * @param gracePeriod positive
   */
  public void setGracePeriod(Duration gracePeriod) {
    this.gracePeriod = gracePeriod;
  }

  /**
   * Returns the safety margin.
   *
   * @return time kept back before the grace period ends
   */
  public Duration getSafetyMargin() {
    return safetyMargin;
  }

  /**
   * Sets the safety margin.
   *
   * @param safetyMargin not negative
   */
  public void setSafetyMargin(Duration safetyMargin) {
    this.safetyMargin = safetyMargin;
  }

  /**
   * Returns the preStop hook's time.
   *
   * @return zero when there is none
   */
  public Duration getPreStopDuration() {
    return preStopDuration;
  }

  /**
   * Sets the preStop hook's time.
   *
   * @param preStopDuration not negative
   */
  public void setPreStopDuration(Duration preStopDuration) {
    this.preStopDuration = preStopDuration;
  }

  /**
   * Returns the propagation delay.
   *
   * @return the delay, or null for the environment's default
   */
  public Duration getPropagationDelay() {
    return propagationDelay;
  }

  /**
   * Sets the propagation delay.
   *
   * @param propagationDelay not negative; null for the environment's default
   */
  public void setPropagationDelay(Duration propagationDelay) {
    this.propagationDelay = propagationDelay;
  }

  /**
   * Returns the quiet period.
   *
   * @return the quiet period
   */
  public Duration getQuietPeriod() {
    return quietPeriod;
  }

  /**
   * Sets the quiet period.
   *
   * @param quietPeriod not negative
   */
  public void setQuietPeriod(Duration quietPeriod) {
    this.quietPeriod = quietPeriod;
  }

  /**
   * Returns the largest body expected.
   *
   * @return the size, or null when unset
   */
  public DataSize getMaxUploadSize() {
    return maxUploadSize;
  }

  /**
   * Sets the largest body expected.
   *
   * @param maxUploadSize positive, or null
   */
  public void setMaxUploadSize(DataSize maxUploadSize) {
    this.maxUploadSize = maxUploadSize;
  }

  /**
   * Returns the slowest upload rate to plan for.
   *
   * @return bytes per second
   */
  public DataSize getMinClientRate() {
    return minClientRate;
  }

  /**
   * Sets the slowest upload rate to plan for.
   *
   * @param minClientRate bytes per second, positive
   */
  public void setMinClientRate(DataSize minClientRate) {
    this.minClientRate = minClientRate;
  }

  /**
   * Returns the stall timeout.
   *
   * @return the timeout
   */
  public Duration getStallTimeout() {
    return stallTimeout;
  }

  /**
   * Sets the stall timeout.
   *
   * @param stallTimeout positive
   */
  public void setStallTimeout(Duration stallTimeout) {
    this.stallTimeout = stallTimeout;
  }

  /**
   * Returns the upload-rate window.
   *
   * @return the window
   */
  public Duration getUploadRateWindow() {
    return uploadRateWindow;
  }

  /**
   * Sets the upload-rate window.
   *
   * @param uploadRateWindow positive
   */
  public void setUploadRateWindow(Duration uploadRateWindow) {
    this.uploadRateWindow = uploadRateWindow;
  }

  /**
   * Returns whether uploads that cannot finish are refused.
   *
   * @return true by default
   */
  public boolean isRefuseUploadsThatCannotFinish() {
    return refuseUploadsThatCannotFinish;
  }

  /**
   * Sets whether uploads that cannot finish are refused.
   *
   * @param refuseUploadsThatCannotFinish false to admit every upload while draining
   */
  public void setRefuseUploadsThatCannotFinish(boolean refuseUploadsThatCannotFinish) {
    this.refuseUploadsThatCannotFinish = refuseUploadsThatCannotFinish;
  }

  /**
   * Returns the Retry-After of refusals.
   *
   * @return the duration
   */
  public Duration getRetryAfter() {
    return retryAfter;
  }

  /**
   * Sets the Retry-After of refusals.
   *
   * @param retryAfter not negative
   */
  public void setRetryAfter(Duration retryAfter) {
    this.retryAfter = retryAfter;
  }

  /**
   * Returns the upstream proxy's pool idle timeout.
   *
   * @return the timeout, or null when unknown
   */
  public Duration getUpstreamIdleTimeout() {
    return upstreamIdleTimeout;
  }

  /**
   * Sets the upstream proxy's pool idle timeout.
   *
   * @param upstreamIdleTimeout positive, or null
   */
  public void setUpstreamIdleTimeout(Duration upstreamIdleTimeout) {
    this.upstreamIdleTimeout = upstreamIdleTimeout;
  }

  /**
   * Returns this server's keep-alive idle timeout.
   *
   * @return the timeout, or null when unknown
   */
  public Duration getServerIdleTimeout() {
    return serverIdleTimeout;
  }

  /**
   * Sets this server's keep-alive idle timeout.
   *
   * @param serverIdleTimeout positive, or null
   */
  public void setServerIdleTimeout(Duration serverIdleTimeout) {
    this.serverIdleTimeout = serverIdleTimeout;
  }

  /**
   * Returns the start-drain endpoint's settings.
   *
   * @return the settings
   */
  public Endpoint getEndpoint() {
    return endpoint;
  }

  /**
   * Returns the probe paths.
   *
   * @return the settings
   */
  public Probe getProbe() {
    return probe;
  }

  /**
   * Builds the core's settings from these properties, validated as {@link DrainConfig.Builder}
   * does.
   *
   * @return the settings
   * @throws DrainPropertyException naming the property that cannot be used and the form it
   *     accepts
   */
  public DrainConfig toConfig() {
    DrainConfig.Builder builder = DrainConfig.builder();
    set("grace-period", gracePeriod, builder::gracePeriod, POSITIVE);
    set("safety-margin", safetyMargin, builder::safetyMargin, NOT_NEGATIVE);
    set("pre-stop-duration", preStopDuration, builder::preStopDuration, NOT_NEGATIVE);
    set("quiet-period", quietPeriod, builder::quietPeriod, NOT_NEGATIVE);
    set("min-client-rate", minClientRate, rate -> builder.minClientRate(rate.toBytes()),
        "a size per second above 0B, e.g. 512KB or 1MB");
    set("stall-timeout", stallTimeout, builder::stallTimeout, POSITIVE);
    set("upload-rate-window", uploadRateWindow, builder::uploadRateWindow, POSITIVE);
    builder.refuseUploadsThatCannotFinish(refuseUploadsThatCannotFinish);
    set("retry-after", retryAfter, builder::retryAfter, NOT_NEGATIVE);
    if (propagationDelay != null) {
      set("propagation-delay", propagationDelay, builder::propagationDelay, NOT_NEGATIVE);
    }
    if (maxUploadSize != null) {
      set("max-upload-size", maxUploadSize, size -> builder.maxUploadSize(size.toBytes()),
          "a size of 0B or more (0B: unset), e.g. 50MB");
    }
    if (upstreamIdleTimeout != null) {
      set("upstream-idle-timeout", upstreamIdleTimeout, builder::upstreamIdleTimeout, POSITIVE);
    }
    if (serverIdleTimeout != null) {
      set("server-idle-timeout", serverIdleTimeout, builder::serverIdleTimeout, POSITIVE);
    }
    path("probe.readiness-path", probe.readinessPath);
    path("probe.status-path", probe.statusPath);
    if (probe.readinessPath.equals(probe.statusPath)) {
      throw new DrainPropertyException("drain.probe.status-path", probe.statusPath,
          "the same path as drain.probe.readiness-path", "a path other than "
              + probe.readinessPath + ", e.g. /drainz", null);
    }
    ProbeConfig probes = builder.probes()
        .withPaths(probe.readinessPath, probe.statusPath)
        .withStatusEnabled(probe.statusEnabled)
        .withDrainEndpointEnabled(endpoint.enabled);
    if (endpoint.token != null) {
      ProbeConfig withoutToken = probes;
      probes = apply("endpoint.token", "****",
          token -> withoutToken.withDrainEndpointToken(endpoint.token), TOKEN);
    }
    builder.probes(probes);
    if (endpoint.enabled && endpoint.token == null) {
      throw new DrainPropertyException("drain.endpoint.token", "", "drain.endpoint.enabled=true "
          + "needs it: POST " + probe.statusPath + " takes the instance out of service", TOKEN,
          null);
    }
    if (safetyMargin.plus(preStopDuration).compareTo(gracePeriod) >= 0) {
      throw new DrainPropertyException("drain.safety-margin", text(safetyMargin),
          "it must be shorter than drain.grace-period (" + text(gracePeriod) + ")"
              + (preStopDuration.isZero() ? ""
                  : " less drain.pre-stop-duration (" + text(preStopDuration) + ")"),
          "a duration shorter than that, e.g. 2s (or a longer drain.grace-period)", null);
    }
    return builder.build();
  }

  private static final String POSITIVE =
      "a duration above 0s and at most 365d, e.g. 500ms, 30s or 2m";
  private static final String NOT_NEGATIVE =
      "a duration of 0s or more, at most 365d, e.g. 0s, 500ms, 5s or 1m";
  private static final String TOKEN = "a secret of at least " + ProbeConfig.MIN_TOKEN_LENGTH
      + " characters, sent as Authorization: Bearer <token>";

  private static <T> void set(String name, T value, java.util.function.Consumer<T> setter,
      String accepted) {
    apply(name, value, v -> {
      setter.accept(v);
      return null;
    }, accepted);
  }

  private static <T, R> R apply(String name, T value, java.util.function.Function<T, R> setter,
      String accepted) {
    String shown = value instanceof Duration d ? text(d) : String.valueOf(value);
    if (value == null) {
      throw new DrainPropertyException("drain." + name, "", "it must not be empty", accepted,
          null);
    }
    try {
      return setter.apply(value);
    } catch (IllegalArgumentException | ArithmeticException e) {
      String reason = value instanceof Duration d
          ? (d.compareTo(DrainConfig.MAX_DURATION) > 0 ? "it is longer than 365d"
              : d.isNegative() ? "it is negative" : "it is not above 0s")
          : value instanceof DataSize size
              ? (size.isNegative() ? "it is negative" : "it is not above 0B")
              : e.getMessage();
      throw new DrainPropertyException("drain." + name, shown, reason, accepted, e);
    }
  }

  private static void path(String name, String path) {
    if (path == null || !path.startsWith("/")) {
      throw new DrainPropertyException("drain." + name, String.valueOf(path),
          "a probe path must start with /", "a path starting with /, e.g. "
              + (name.endsWith("readiness-path") ? "/readyz" : "/drainz"), null);
    }
  }

  /** A duration as Spring writes it: {@code 500ms}, {@code -5s}, {@code 400d}. */
  static String text(Duration d) {
    if (d.toNanos() % 1_000_000L != 0 || d.abs().toMillis() < 1 && !d.isZero()) {
      return d.toString();
    }
    long millis = d.toMillis();
    if (millis != 0 && millis % 86_400_000L == 0) {
      return millis / 86_400_000L + "d";
    }
    return millis % 1000 != 0 ? millis + "ms" : millis / 1000 + "s";
  }

  /** The {@code POST} start-drain endpoint on the status path, off by default. */
  public static class Endpoint {

    /**
     * Whether POST on the status path starts a drain (for a preStop hook or a shutdown script);
     * needs a token.
     */
    private boolean enabled;

    /** The secret a POST must present as "Authorization: Bearer <token>", 16 characters or more. */
    private String token;

    /**
     * Returns whether the endpoint is on.
     *
     * @return false by default
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the endpoint is on.
     *
     * @param enabled true to accept POST
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Returns the token.
     *
     * @return the token, or null
     */
    public String getToken() {
      return token;
    }

    /**
     * Sets the token.
     *
     * @param token 16 characters or more
     */
    public void setToken(String token) {
      this.token = token;
    }
  }

  /** The probe paths on the application's own port. */
  public static class Probe {

    /** Readiness: 200 "ready" while serving, 503 "draining" from the drain's first instant. */
    private String readinessPath = "/readyz";

    /** Status: the drain's state, in-flight count and uploads as JSON. */
    private String statusPath = "/drainz";

    /**
     * Whether the status path answers GET with the drain's state, in-flight count and each
     * upload's method, path, size and rate, to any client: off under Spring, where the actuator's
     * drain endpoint gives the same status behind Spring Security.
     */
    private boolean statusEnabled;

    /**
     * Returns whether the status path answers GET.
     *
     * @return false by default
     */
    public boolean isStatusEnabled() {
      return statusEnabled;
    }

    /**
     * Sets whether the status path answers GET.
     *
     * @param statusEnabled true to serve the status to any client that reaches the port
     */
    public void setStatusEnabled(boolean statusEnabled) {
      this.statusEnabled = statusEnabled;
    }

    /**
     * Returns the readiness path.
     *
     * @return the path
     */
    public String getReadinessPath() {
      return readinessPath;
    }

    /**
     * Sets the readiness path.
     *
     * @param readinessPath starting with {@code /}
     */
    public void setReadinessPath(String readinessPath) {
      this.readinessPath = readinessPath;
    }

    /**
     * Returns the status path.
     *
     * @return the path
     */
    public String getStatusPath() {
      return statusPath;
    }

    /**
     * Sets the status path.
     *
     * @param statusPath starting with {@code /}
     */
    public void setStatusPath(String statusPath) {
      this.statusPath = statusPath;
    }
  }
}

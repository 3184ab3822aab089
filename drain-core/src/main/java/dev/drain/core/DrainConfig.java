package dev.drain.core;

import dev.drain.core.internal.ConfigProperties;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The immutable settings of a {@link Drain}. Build one with {@link #builder()}, start from
 * {@link #defaults()}, copy and change one with {@link #from(DrainConfig)}, or read Spring-style
 * properties with {@link #fromProperties(Map)}.
 *
 * <p>Defaults come from what Kubernetes, GCP load balancers, nginx and Kong do during a rollout:
 * a 30 s grace period (Kubernetes' {@code terminationGracePeriodSeconds}), a 2 s safety margin, a
 * 5 s propagation delay when running on Kubernetes (detected through {@code
 * KUBERNETES_SERVICE_HOST}) and none elsewhere, a 1 s quiet period and a 1 MiB/s slowest client.
 */
public final class DrainConfig {

  /** Bytes in one mebibyte, the unit Spring's {@code DataSize} calls {@code 1MB}. */
  public static final long MEBIBYTE = 1024L * 1024L;

  /**
   * The longest duration any setting takes: a year. Longer values are rejected so that every
   * sum of times the drain computes fits in a {@code long} of nanoseconds.
   */
  public static final Duration MAX_DURATION = Duration.ofDays(365);

  private static final DrainConfig DEFAULTS = new Builder().build();

  private final Duration gracePeriod;
  private final Duration safetyMargin;
  private final Duration preStopDuration;
  private final Duration propagationDelay;
  private final Duration quietPeriod;
  private final long maxUploadSize;
  private final long minClientRate;
  private final Duration stallTimeout;
  private final Duration uploadRateWindow;
  private final boolean refuseUploadsThatCannotFinish;
  private final Duration retryAfter;
  private final Duration upstreamIdleTimeout;
  private final Duration serverIdleTimeout;
  private final ProbeConfig probes;
  private final DrainClock clock;

  private DrainConfig(Builder b) {
    this.gracePeriod = b.gracePeriod;
    this.safetyMargin = b.safetyMargin;
    this.preStopDuration = b.preStopDuration;
    this.propagationDelay = b.propagationDelay;
    this.quietPeriod = b.quietPeriod;
    this.maxUploadSize = b.maxUploadSize;
    this.minClientRate = b.minClientRate;
    this.stallTimeout = b.stallTimeout;
    this.uploadRateWindow = b.uploadRateWindow;
    this.refuseUploadsThatCannotFinish = b.refuseUploadsThatCannotFinish;
    this.retryAfter = b.retryAfter;
    this.upstreamIdleTimeout = b.upstreamIdleTimeout;
    this.serverIdleTimeout = b.serverIdleTimeout;
    this.probes = b.probes;
    this.clock = b.clock;
  }

  /**
   * Returns the default settings (see the class comment).
   *
   * @return the defaults; never null
   */
  public static DrainConfig defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a builder that starts from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder that starts from {@code existing}.
   *
   * @param existing the settings to copy; must not be null
   * @return a new builder holding a copy of {@code existing}
   */
  public static Builder from(DrainConfig existing) {
    return new Builder(Objects.requireNonNull(existing, "existing"));
  }

  /**
   * Reads settings from properties named as in Spring ({@code drain.grace-period=45s}, {@code
   * drain.min-client-rate=1MB}). Durations take Spring's forms ({@code 500ms}, {@code 2s}, {@code
   * 1m}, ISO-8601 {@code PT2S}; a bare number is milliseconds); sizes take {@code B}, {@code KB},
   * {@code MB}, {@code GB} (binary multiples, as Spring's {@code DataSize}; a bare number is
   * bytes). Keys outside {@code drain.} are ignored, and so is {@code drain.enabled}, which
   * switches an adapter on or off; {@code drain.endpoint.enabled}, {@code drain.endpoint.token},
   * {@code drain.probe.readiness-path}, {@code drain.probe.status-path} and {@code
   * drain.probe.status-enabled} set {@link #probes()};
   * any other {@code drain.} key is an error, so a typo does not silently keep a default.
   *
   * @param properties the properties; must not be null
   * @return the settings, starting from the defaults
   * @throws IllegalArgumentException naming the key and value that cannot be used
   */
  public static DrainConfig fromProperties(Map<String, String> properties) {
    Builder builder = builder();
    ConfigProperties.apply(properties, builder);
    return builder.build();
  }

  /**
   * Returns every key {@link #fromProperties} accepts besides {@code drain.enabled}, e.g. {@code
   * drain.grace-period}: what a framework's own binding (the Spring starter's) must accept too.
   *
   * @return the keys, sorted, unmodifiable
   */
  public static java.util.SortedSet<String> propertyNames() {
    java.util.SortedSet<String> names = new java.util.TreeSet<>();
    for (String name : ConfigProperties.names()) {
      names.add("drain." + name);
    }
    return java.util.Collections.unmodifiableSortedSet(names);
  }

  /**
   * Time from SIGTERM to SIGKILL (Kubernetes {@code terminationGracePeriodSeconds}).
   *
   * @return a positive duration
   */
  public Duration gracePeriod() {
    return gracePeriod;
  }

  /**
   * How long before the grace period ends the drain must be over, leaving time for the server's
   * own stop and the other shutdown hooks.
   *
   * @return zero or a positive duration shorter than the grace period
   */
  public Duration safetyMargin() {
    return safetyMargin;
  }

  /**
   * How long a {@code preStop} hook runs before SIGTERM (a {@code sleep} a team keeps, say):
   * Kubernetes counts it inside the grace period, so the drain has that much less. Zero when
   * there is none.
   *
   * @return zero or a positive duration
   */
  public Duration preStopDuration() {
    return preStopDuration;
  }

  /**
   * How long to keep serving after readiness flips, so load balancers, kube-proxy, ingress
   * controllers and health checks stop routing here. Zero keeps no delay.
   *
   * @return zero or a positive duration
   */
  public Duration propagationDelay() {
    return propagationDelay;
  }

  /**
   * After the propagation delay, how long without a new request before the drain stops
   * accepting; each new request restarts it. Zero ends the delay phase right at its minimum.
   *
   * @return zero or a positive duration
   */
  public Duration quietPeriod() {
    return quietPeriod;
  }

  /**
   * The largest request body expected, in bytes, used by the budget check.
   *
   * @return the size, or empty when unset
   */
  public OptionalLong maxUploadSize() {
    return maxUploadSize == 0 ? OptionalLong.empty() : OptionalLong.of(maxUploadSize);
  }

  /**
   * The slowest upload rate to plan for, in bytes per second, when this instance has no evidence
   * of its own: admission of an upload arriving after the server stopped accepting, and the
   * estimate for an upload that has not shown its own rate yet. With evidence (see {@link
   * #uploadRateWindow()}) admission uses the observed rates instead.
   *
   * @return a positive rate
   */
  public long minClientRate() {
    return minClientRate;
  }

  /**
   * How long an observed upload rate counts as evidence for admission: uploads of at least 1 MiB
   * that ended within this window, and those in flight, give the rate a new upload is planned
   * with (their 10th percentile, from 3 of them on). Older observations are forgotten, so the
   * estimate follows a change of clients or of the proxy in front.
   *
   * @return a positive duration
   */
  public Duration uploadRateWindow() {
    return uploadRateWindow;
  }

  /**
   * How long an upload may make no progress before it is reported as stalled. Stalled uploads are
   * reported, never cut early.
   *
   * @return a positive duration
   */
  public Duration stallTimeout() {
    return stallTimeout;
  }

  /**
   * Whether an upload arriving while draining that cannot finish in the remaining budget is
   * answered 503 before its body is read.
   *
   * @return true to refuse such uploads
   */
  public boolean refuseUploadsThatCannotFinish() {
    return refuseUploadsThatCannotFinish;
  }

  /**
   * The {@code Retry-After} a refused request is given.
   *
   * @return zero or a positive duration, sent rounded up to whole seconds
   */
  public Duration retryAfter() {
    return retryAfter;
  }

  /**
   * The upstream proxy's keep-alive pool idle timeout (Kong 60 s, GCP load balancers 600 s), for
   * the keep-alive check.
   *
   * @return the timeout, or empty when unset
   */
  public Optional<Duration> upstreamIdleTimeout() {
    return Optional.ofNullable(upstreamIdleTimeout);
  }

  /**
   * This server's keep-alive idle timeout, for the keep-alive check; adapters that know it set it.
   *
   * @return the timeout, or empty when unset
   */
  public Optional<Duration> serverIdleTimeout() {
    return Optional.ofNullable(serverIdleTimeout);
  }

  /**
   * Where adapters answer the probes, and whether {@code POST} on the status path starts a drain.
   *
   * @return the probe settings; never null
   */
  public ProbeConfig probes() {
    return probes;
  }

  /**
   * The clock every time rule reads.
   *
   * @return the clock; never null
   */
  public DrainClock clock() {
    return clock;
  }

  /**
   * The time the drain may take from its start (SIGTERM): the grace period less the {@code
   * preStop} hook's time and the safety margin.
   *
   * @return a positive duration
   */
  public Duration drainBudget() {
    return gracePeriod.minus(preStopDuration).minus(safetyMargin);
  }

  /**
   * The time from SIGTERM to SIGKILL: the grace period less the {@code preStop} hook's time.
   *
   * @return a positive duration
   */
  public Duration afterSigterm() {
    return gracePeriod.minus(preStopDuration);
  }

  @Override
  public String toString() {
    return "DrainConfig{gracePeriod=" + gracePeriod + ", safetyMargin=" + safetyMargin
        + ", preStopDuration=" + preStopDuration
        + ", propagationDelay=" + propagationDelay + ", quietPeriod=" + quietPeriod
        + ", maxUploadSize=" + maxUploadSize + ", minClientRate=" + minClientRate
        + ", stallTimeout=" + stallTimeout + ", uploadRateWindow=" + uploadRateWindow
        + ", refuseUploadsThatCannotFinish=" + refuseUploadsThatCannotFinish
        + ", retryAfter=" + retryAfter + ", upstreamIdleTimeout=" + upstreamIdleTimeout
        + ", serverIdleTimeout=" + serverIdleTimeout + ", probes=" + probes + "}";
  }

  /** A validating builder; {@link #build()} checks the settings together. Not thread-safe. */
  public static final class Builder {
    private Duration gracePeriod = Duration.ofSeconds(30);
    private Duration safetyMargin = Duration.ofSeconds(2);
    private Duration preStopDuration = Duration.ZERO;
    private Duration propagationDelay = defaultPropagationDelay(System.getenv());
    private Duration quietPeriod = Duration.ofSeconds(1);
    private long maxUploadSize;
    private long minClientRate = MEBIBYTE;
    private Duration stallTimeout = Duration.ofSeconds(10);
    private Duration uploadRateWindow = Duration.ofMinutes(10);
    private boolean refuseUploadsThatCannotFinish = true;
    private Duration retryAfter = Duration.ofSeconds(1);
    private Duration upstreamIdleTimeout;
    private Duration serverIdleTimeout;
    private ProbeConfig probes = ProbeConfig.defaults();
    private DrainClock clock = DrainClock.system();

    private Builder() {}

    private Builder(DrainConfig c) {
      gracePeriod = c.gracePeriod;
      safetyMargin = c.safetyMargin;
      preStopDuration = c.preStopDuration;
      propagationDelay = c.propagationDelay;
      quietPeriod = c.quietPeriod;
      maxUploadSize = c.maxUploadSize;
      minClientRate = c.minClientRate;
      stallTimeout = c.stallTimeout;
      uploadRateWindow = c.uploadRateWindow;
      refuseUploadsThatCannotFinish = c.refuseUploadsThatCannotFinish;
      retryAfter = c.retryAfter;
      upstreamIdleTimeout = c.upstreamIdleTimeout;
      serverIdleTimeout = c.serverIdleTimeout;
      probes = c.probes;
      clock = c.clock;
    }

    /**
     * The propagation delay used when none is set: 5 s when the environment shows Kubernetes
     * ({@code KUBERNETES_SERVICE_HOST} is set), else zero.
     *
     * @param environment the process environment
     * @return the default delay
     */
    public static Duration defaultPropagationDelay(Map<String, String> environment) {
      String host = environment.get("KUBERNETES_SERVICE_HOST");
      return host != null && !host.isBlank() ? Duration.ofSeconds(5) : Duration.ZERO;
    }

    /**
     * Sets the grace period.
     * @param value positive
     * @return this builder
     */
    public Builder gracePeriod(Duration value) {
      gracePeriod = positive("gracePeriod", value);
      return this;
    }

    /**
     * Sets the safety margin.
     * @param value zero or positive, below the grace period
     * @return this builder
     */
    public Builder safetyMargin(Duration value) {
      safetyMargin = notNegative("safetyMargin", value);
      return this;
    }

    /**
     * Sets the time a {@code preStop} hook runs before SIGTERM.
     * @param value not negative; zero when there is no hook
     * @return this builder
     */
    public Builder preStopDuration(Duration value) {
      preStopDuration = notNegative("preStopDuration", value);
      return this;
    }

    /**
     * Sets the propagation delay.
     * @param value zero (no delay) or positive
     * @return this builder
     */
    public Builder propagationDelay(Duration value) {
      propagationDelay = notNegative("propagationDelay", value);
      return this;
    }

    /**
     * Sets the quiet period.
     * @param value zero (none) or positive
     * @return this builder
     */
    public Builder quietPeriod(Duration value) {
      quietPeriod = notNegative("quietPeriod", value);
      return this;
    }

    /**
     * Sets the largest expected body in bytes.
     * @param bytes positive, or 0 to unset
     * @return this builder
     */
    public Builder maxUploadSize(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxUploadSize must be >= 0 bytes (0 = unset), was " + bytes);
      }
      maxUploadSize = bytes;
      return this;
    }

    /**
     * Sets the slowest client rate.
     * @param bytesPerSecond positive
     * @return this builder
     */
    public Builder minClientRate(long bytesPerSecond) {
      if (bytesPerSecond <= 0) {
        throw new IllegalArgumentException(
            "minClientRate must be > 0 bytes per second, was " + bytesPerSecond);
      }
      minClientRate = bytesPerSecond;
      return this;
    }

    /**
     * Sets the stall timeout.
     * @param value positive
     * @return this builder
     */
    public Builder stallTimeout(Duration value) {
      stallTimeout = positive("stallTimeout", value);
      return this;
    }

    /**
     * Sets how long an observed upload rate counts as evidence for admission.
     * @param value positive
     * @return this builder
     */
    public Builder uploadRateWindow(Duration value) {
      uploadRateWindow = positive("uploadRateWindow", value);
      return this;
    }

    /**
     * Sets whether uploads that cannot finish are refused.
     * @param value the flag
     * @return this builder
     */
    public Builder refuseUploadsThatCannotFinish(boolean value) {
      refuseUploadsThatCannotFinish = value;
      return this;
    }

    /**
     * Sets the Retry-After given with a refusal.
     * @param value zero or positive
     * @return this builder
     */
    public Builder retryAfter(Duration value) {
      retryAfter = notNegative("retryAfter", value);
      return this;
    }

    /**
     * Sets the upstream pool's idle timeout.
     * @param value positive, or null to unset
     * @return this builder
     */
    public Builder upstreamIdleTimeout(Duration value) {
      upstreamIdleTimeout = value == null ? null : positive("upstreamIdleTimeout", value);
      return this;
    }

    /**
     * Sets this server's keep-alive idle timeout.
     * @param value positive, or null to unset
     * @return this builder
     */
    public Builder serverIdleTimeout(Duration value) {
      serverIdleTimeout = value == null ? null : positive("serverIdleTimeout", value);
      return this;
    }

    /**
     * Sets the probe settings.
     * @param value must not be null
     * @return this builder
     */
    public Builder probes(ProbeConfig value) {
      probes = Objects.requireNonNull(value, "probes");
      return this;
    }

    /**
     * Returns the probe settings set so far, for changing one of them.
     * @return the probe settings
     */
    public ProbeConfig probes() {
      return probes;
    }

    /**
     * Sets the clock.
     * @param value must not be null
     * @return this builder
     */
    public Builder clock(DrainClock value) {
      clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Checks the settings together and returns them.
     *
     * @return the immutable settings
     * @throws IllegalArgumentException when the safety margin is not below the grace period, or
     *     the drain endpoint is enabled without a token
     */
    public DrainConfig build() {
      if (probes.drainEndpointEnabled() && probes.drainEndpointToken().isEmpty()) {
        throw new IllegalArgumentException("drain.endpoint.enabled=true needs drain.endpoint.token "
            + "(at least " + ProbeConfig.MIN_TOKEN_LENGTH + " characters): POST "
            + probes.statusPath() + " takes the instance out of service, and a loopback check "
            + "protects nothing behind a local proxy or sidecar");
      }
      if (safetyMargin.plus(preStopDuration).compareTo(gracePeriod) >= 0) {
        throw new IllegalArgumentException(preStopDuration.isZero()
            ? "safetyMargin (" + safetyMargin + ") must be shorter than gracePeriod ("
                + gracePeriod + ")"
            : "safetyMargin (" + safetyMargin + ") and preStopDuration (" + preStopDuration
                + ") must together be shorter than gracePeriod (" + gracePeriod + ")");
      }
      return new DrainConfig(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return atMostAYear(name, value);
    }

    private static Duration notNegative(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, was " + value);
      }
      return atMostAYear(name, value);
    }

    private static Duration atMostAYear(String name, Duration value) {
      if (value.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException(name + " must be at most " + MAX_DURATION
            + " (365 days), was " + value);
      }
      return value;
    }
  }
}

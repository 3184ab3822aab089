package dev.drain.core;

import dev.drain.core.internal.DrainLog;
import dev.drain.core.internal.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a configuration against the platform and the largest upload, once, at startup.
 *
 * <ul>
 *   <li>{@code grace-period}: the grace period must cover the {@code preStop} hook's time +
 *       propagation delay + largest upload at the minimum client rate + safety margin;
 *   <li>{@code propagation-delay}: the delay must leave time for in-flight requests;
 *   <li>{@code quiet-period}: a quiet period longer than the propagation delay stretches every
 *       drain past the delay the platform needs;
 *   <li>{@code safety-margin}: the margin must hold the server's stop and the JVM's own exit, at
 *       least {@link #MIN_SAFETY_MARGIN};
 *   <li>{@code keep-alive}: this server's keep-alive idle timeout must be above the upstream
 *       proxy's pool idle timeout (Kong 60 s, GCP load balancers 600 s), else a pooled request
 *       races the server's close and a POST gets 502.
 * </ul>
 */
public final class DrainBudget {

  /**
   * The smallest safety margin the check accepts: {@link ShutdownCoordinator#EXIT_RESERVE} for the
   * JVM's own exit (measured here: 60 to 420 ms from the drain's result to the process's end,
   * HotSpot's wait for threads in native code included) and as much again for the server's stop.
   */
  public static final Duration MIN_SAFETY_MARGIN = Duration.ofSeconds(1);

  /** How far above the upstream pool's idle timeout the keep-alive check asks to be. */
  public static final Duration KEEP_ALIVE_HEADROOM = Duration.ofSeconds(20);


  private DrainBudget() {}

  /**
   * Runs every rule.
   *
   * @param config the settings
   * @return the findings, empty when the settings fit
   */
  public static List<BudgetFinding> check(DrainConfig config) {
    List<BudgetFinding> findings = new ArrayList<>();
    Duration grace = config.gracePeriod();
    Duration delay = config.propagationDelay();
    if (config.safetyMargin().compareTo(MIN_SAFETY_MARGIN) < 0) {
      findings.add(new BudgetFinding(System.Logger.Level.WARNING, "safety-margin",
          "drain.safety-margin (" + text(config.safetyMargin()) + ") is what is left of the grace "
              + "period for the server's stop and the JVM's exit after the drain's deadline; with "
              + "less than " + text(MIN_SAFETY_MARGIN) + " the platform may kill the process "
              + "before its shutdown hooks ran",
          "drain.safety-margin >= " + text(MIN_SAFETY_MARGIN)));
    }
    if (delay.compareTo(config.drainBudget()) >= 0) {
      long needed =
          Durations.ceilSeconds(delay.plus(config.safetyMargin()).plus(config.preStopDuration())) + 1;
      findings.add(new BudgetFinding(System.Logger.Level.WARNING, "propagation-delay",
          "drain.propagation-delay (" + text(delay) + ") leaves no time for requests in flight "
              + "within drain.grace-period (" + text(grace) + ") less drain.safety-margin ("
              + text(config.safetyMargin()) + ")",
          "terminationGracePeriodSeconds >= " + needed + " and drain.grace-period=" + needed + "s"));
    }
    config.maxUploadSize().ifPresent(maxUpload -> {
      double uploadSeconds = maxUpload / (double) config.minClientRate();
      long needed = requiredGracePeriod(config).toSeconds();
      if (needed > grace.toNanos() / 1e9) {
        findings.add(new BudgetFinding(System.Logger.Level.WARNING, "grace-period",
            String.format(Locale.ROOT, "an upload of %d bytes at drain.min-client-rate %d bytes/s "
                + "takes %.1fs; with drain.propagation-delay %s and drain.safety-margin %s%s the "
                + "drain needs %ds, but drain.grace-period is %s", maxUpload,
                config.minClientRate(), uploadSeconds, text(delay), text(config.safetyMargin()),
                config.preStopDuration().isZero() ? ""
                    : " after a preStop of " + text(config.preStopDuration()),
                needed, text(grace)),
            "terminationGracePeriodSeconds >= " + needed + " and drain.grace-period=" + needed
                + "s"));
      }
    });
    // Without a delay the quiet period extends nothing: the drain stops accepting at its start,
    // before any arrival can restart it. The defaults off Kubernetes (0s, 1s) are no mistake.
    if (!delay.isZero() && config.quietPeriod().compareTo(delay) > 0) {
      findings.add(new BudgetFinding(System.Logger.Level.WARNING, "quiet-period",
          "drain.quiet-period (" + text(config.quietPeriod()) + ") is longer than "
              + "drain.propagation-delay (" + text(delay) + "): every drain that still sees "
              + "traffic waits longer than the platform needs",
          "drain.quiet-period <= " + text(delay)));
    }
    config.upstreamIdleTimeout().ifPresent(upstream -> {
      Duration wanted = upstream.plus(KEEP_ALIVE_HEADROOM);
      var server = config.serverIdleTimeout();
      if (server.isEmpty()) {
        findings.add(new BudgetFinding(System.Logger.Level.INFO, "keep-alive",
            "drain.upstream-idle-timeout is " + text(upstream) + " but this server's keep-alive "
                + "idle timeout is unknown; it must be above the upstream's",
            "drain.server-idle-timeout and the server's keep-alive idle timeout >= "
                + text(wanted)));
      } else if (server.get().compareTo(upstream) <= 0) {
        findings.add(new BudgetFinding(System.Logger.Level.WARNING, "keep-alive",
            "this server's keep-alive idle timeout (" + text(server.get()) + ") is not above the "
                + "upstream proxy's pool idle timeout (" + text(upstream) + "): the proxy can "
                + "send a request on a connection as this server closes it, and a POST then gets "
                + "502",
            "the server's keep-alive idle timeout >= " + text(wanted)));
      }
    });
    return List.copyOf(findings);
  }

  /**
   * Returns the grace period these settings need, rounded up to whole seconds: the {@code preStop}
   * hook's time, the propagation delay, the largest upload at the minimum client rate (none when
   * no upload size is set) and the safety margin. The {@code grace-period} rule compares {@code
   * drain.grace-period} with it, and the rollout planner derives the platform's grace period from
   * it.
   *
   * @param config the settings
   * @return the grace period needed
   */
  public static Duration requiredGracePeriod(DrainConfig config) {
    Duration upload = config.maxUploadSize().isPresent()
        ? uploadTime(config.maxUploadSize().getAsLong(), config.minClientRate()) : Duration.ZERO;
    Duration needed = config.preStopDuration().plus(config.propagationDelay()).plus(upload)
        .plus(config.safetyMargin());
    return Duration.ofSeconds(Durations.ceilSeconds(needed));
  }

  /**
   * Returns how long an upload takes at a client's rate.
   *
   * @param bytes the upload's size, not negative
   * @param bytesPerSecond the client's rate, positive
   * @return the time, to the nanosecond
   * @throws IllegalArgumentException when the size is negative or the rate not positive
   */
  public static Duration uploadTime(long bytes, long bytesPerSecond) {
    if (bytes < 0 || bytesPerSecond <= 0) {
      throw new IllegalArgumentException("upload of " + bytes + " bytes at " + bytesPerSecond
          + " bytes/s: the size must not be negative and the rate must be positive");
    }
    long whole = bytes / bytesPerSecond;
    long rest = bytes % bytesPerSecond;
    return Duration.ofSeconds(whole, (long) Math.ceil(rest * 1e9 / bytesPerSecond));
  }

  /**
   * Logs each finding once through {@link System.Logger} at its level.
   *
   * @param findings the findings
   */
  public static void log(List<BudgetFinding> findings) {
    for (BudgetFinding finding : findings) {
      DrainLog.write(finding.level(), "graceful-drain budget: " + finding.message() + "; set "
          + finding.setting());
    }
  }

  private static String text(Duration d) {
    if (d.toMillis() % 1000 != 0 || d.isZero()) {
      return d.toMillis() + "ms";
    }
    return d.toSeconds() + "s";
  }
}

package dev.drain.spring;

import dev.drain.core.BudgetFinding;
import dev.drain.core.DrainConfig;
import java.time.Duration;
import java.util.List;

/**
 * The budget rule only Spring has: {@code spring.lifecycle.timeout-per-shutdown-phase} bounds the
 * drain's lifecycle phase, so a timeout shorter than the drain lets Spring Boot stop the web
 * server while uploads the drain waits for are still arriving.
 */
public final class SpringBudget {

  /** The property Spring Boot reads for each lifecycle phase's stop timeout. */
  public static final String PHASE_TIMEOUT = "spring.lifecycle.timeout-per-shutdown-phase";

  private SpringBudget() {}

  /**
   * Checks the phase timeout against the drain.
   *
   * @param config the drain's settings
   * @param phaseTimeout the effective {@value #PHASE_TIMEOUT}
   * @return one finding when the timeout is shorter than the drain may take, else none
   */
  public static List<BudgetFinding> check(DrainConfig config, Duration phaseTimeout) {
    // The phase holds the drain and the server's stop: up to SIGKILL, less the exit reserve.
    Duration needed = config.gracePeriod();
    Duration phase = config.afterSigterm();
    if (phaseTimeout.compareTo(phase) >= 0) {
      return List.of();
    }
    return List.of(new BudgetFinding(System.Logger.Level.WARNING, "spring-phase-timeout",
        PHASE_TIMEOUT + " (" + text(phaseTimeout) + ") is shorter than the drain and the "
            + "server's stop, which may take " + text(phase) + " (drain.grace-period "
            + text(config.gracePeriod()) + (config.preStopDuration().isZero() ? ""
                : " less drain.pre-stop-duration " + text(config.preStopDuration()))
            + "): Spring Boot would stop the web server under requests still in flight",
        PHASE_TIMEOUT + "=" + text(needed) + " (or remove it: the starter then uses "
            + "drain.grace-period)"));
  }

  private static String text(Duration d) {
    return d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : d.toSeconds() + "s";
  }
}

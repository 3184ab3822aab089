package dev.drain.core.plan;

import java.time.Duration;
import java.util.Objects;

/**
 * What the planner plans for.
 *
 * @param maxUploadBytes the largest request body that must survive a rollout, positive
 * @param minClientRate the slowest client rate to plan for, in bytes per second, positive
 * @param platform where the application tier runs
 * @param propagationDelay how long the platform takes to stop sending new requests to an
 *     instance that is going away (endpoint removal, Kong's sync, load balancer programming)
 * @param safetyMargin the time kept at each tier for its own stop and the process's exit
 * @param preStop how long a {@code preStop} hook runs before SIGTERM reaches the application;
 *     zero when there is none (the library's in-process delay needs none)
 */
public record PlanInput(long maxUploadBytes, long minClientRate, Platform platform,
    Duration propagationDelay, Duration safetyMargin, Duration preStop) {

  /**
   * Validates the input; every message names the option to change.
   *
   * @param maxUploadBytes the largest request body that must survive a rollout, positive
   * @param minClientRate the slowest client rate to plan for, in bytes per second, positive
   * @param platform where the application tier runs
   * @param propagationDelay how long the platform takes to stop sending new requests to an
   *     instance that is going away
   * @param safetyMargin the time kept at each tier for its own stop and the process's exit
   * @param preStop how long a {@code preStop} hook runs before SIGTERM reaches the application
   * @throws IllegalArgumentException when a size or rate is not positive or a time is negative
   */
  public PlanInput {
    Objects.requireNonNull(platform, "platform");
    if (maxUploadBytes <= 0) {
      throw new IllegalArgumentException("--max-upload must be positive, got " + maxUploadBytes);
    }
    if (minClientRate <= 0) {
      throw new IllegalArgumentException(
          "--min-client-rate must be positive, got " + minClientRate);
    }
    notNegative("--propagation-delay", propagationDelay);
    notNegative("--safety-margin", safetyMargin);
    notNegative("--pre-stop", preStop);
  }

  private static void notNegative(String option, Duration value) {
    Objects.requireNonNull(value, option);
    if (value.isNegative()) {
      throw new IllegalArgumentException(option + " must not be negative, got " + value);
    }
  }

  /**
   * Returns the input with the defaults for a platform: propagation delay 10 s on GKE (endpoint
   * removal and Kong's 3 s sync, with room) and 15 s on a MIG (two failed health checks 5 s
   * apart), safety margin 5 s, no {@code preStop}.
   *
   * @param maxUploadBytes the largest upload
   * @param minClientRate the slowest client rate, bytes per second
   * @param platform where the application runs
   * @return the input
   */
  public static PlanInput withDefaults(long maxUploadBytes, long minClientRate,
      Platform platform) {
    Duration delay = platform == Platform.GKE ? Duration.ofSeconds(10) : Duration.ofSeconds(15);
    return new PlanInput(maxUploadBytes, minClientRate, platform, delay, Duration.ofSeconds(5),
        Duration.ZERO);
  }
}

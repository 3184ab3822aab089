package dev.drain.plan;

import java.time.Duration;
import java.util.Objects;

/**
 * What the planner plans for. A and B run on VMs of managed instance groups, Kong (C) on GKE;
 * {@link #platform()} is where the application (D) runs.
 *
 * @param maxUploadBytes the largest request body that must survive a rollout, positive
 * @param minClientRate the slowest client rate to plan for, in bytes per second, positive
 * @param platform where the application tier (D) runs
 * @param propagationDelay how long D's platform takes to stop sending new requests to an
 *     instance that is going away (endpoint removal and Kong's sync on GKE, the load balancer
 *     on a MIG)
 * @param safetyMargin the time kept at each tier for its own stop and the process's exit
 * @param preStop how long a {@code preStop} hook runs before SIGTERM reaches the application;
 *     zero when there is none (the library's in-process delay needs none)
 * @param processingTime how long D takes to answer the largest request once it has its body
 */
public record PlanInput(long maxUploadBytes, long minClientRate, Platform platform,
    Duration propagationDelay, Duration safetyMargin, Duration preStop,
    Duration processingTime) {

  /** Propagation on GKE: endpoint removal and the Kong Ingress Controller's 3 s sync, with room. */
  public static final Duration GKE_PROPAGATION = Duration.ofSeconds(10);
  /** Propagation on a MIG: two failed health checks 5 s apart, with room. */
  public static final Duration MIG_PROPAGATION = Duration.ofSeconds(15);
  /** D's processing time when none is given: 5 s for the largest request; measure yours. */
  public static final Duration DEFAULT_PROCESSING_TIME = Duration.ofSeconds(5);

  /**
   * Validates the input; every message names the option to change.
   *
   * @param maxUploadBytes the largest request body that must survive a rollout, positive
   * @param minClientRate the slowest client rate to plan for, in bytes per second, positive
   * @param platform where the application tier (D) runs
   * @param propagationDelay how long D's platform takes to stop sending to a removed instance
   * @param safetyMargin the time kept at each tier for its own stop and the process's exit
   * @param preStop how long a {@code preStop} hook runs before SIGTERM reaches the application
   * @param processingTime how long D takes to answer the largest request once it has its body
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
    notNegative("--processing-time", processingTime);
  }

  private static void notNegative(String option, Duration value) {
    Objects.requireNonNull(value, option);
    if (value.isNegative()) {
      throw new IllegalArgumentException(option + " must not be negative, got " + value);
    }
  }

  /**
   * Returns the input with the defaults: propagation delay {@link #GKE_PROPAGATION} on GKE and
   * {@link #MIG_PROPAGATION} on a MIG, safety margin 5 s, no {@code preStop}, processing time
   * {@link #DEFAULT_PROCESSING_TIME}.
   *
   * @param maxUploadBytes the largest upload
   * @param minClientRate the slowest client rate, bytes per second
   * @param platform where the application runs
   * @return the input
   */
  public static PlanInput withDefaults(long maxUploadBytes, long minClientRate,
      Platform platform) {
    return new PlanInput(maxUploadBytes, minClientRate, platform, defaultDelay(platform),
        Duration.ofSeconds(5), Duration.ZERO, DEFAULT_PROCESSING_TIME);
  }

  /**
   * Returns the propagation delay a platform gets when none is given.
   *
   * @param platform where the application runs
   * @return {@link #GKE_PROPAGATION} or {@link #MIG_PROPAGATION}
   */
  public static Duration defaultDelay(Platform platform) {
    return platform == Platform.GKE ? GKE_PROPAGATION : MIG_PROPAGATION;
  }
}

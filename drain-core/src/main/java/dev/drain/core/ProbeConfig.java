package dev.drain.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Where an adapter answers the probes, whether it serves the status page, and who may start a
 * drain over HTTP. Immutable; part of
 * {@link DrainConfig} so that one set of {@code drain.*} properties configures every adapter.
 *
 * <p>{@code POST statusPath} starts a drain (for a Kubernetes {@code preStop} hook or a GCE
 * shutdown script). It is off by default, because anyone who can reach it can take the instance
 * out, and when it is on it asks for a secret token ({@code Authorization: Bearer <token>}): a
 * check of the client's address would protect nothing behind a proxy or sidecar in the same pod,
 * where every client arrives from loopback.
 *
 * @param readinessPath the readiness probe, {@code GET} → 200 {@code ready} / 503 {@code
 *     draining}; default {@code /readyz} ({@code drain.probe.readiness-path})
 * @param statusPath the status page, {@code GET} → JSON; default {@code /drainz} ({@code
 *     drain.probe.status-path})
 * @param drainEndpointEnabled whether {@code POST statusPath} starts a drain; default false
 *     ({@code drain.endpoint.enabled})
 * @param drainEndpointToken the secret a {@code POST} must present as {@code Authorization:
 *     Bearer <token>}; required when the endpoint is enabled ({@code drain.endpoint.token})
 * @param statusEnabled whether {@code GET statusPath} answers the status (state, in-flight
 *     count and each upload's method, path, size and rate) to any client that reaches it; default
 *     true, the Spring starter's default false ({@code drain.probe.status-enabled}). Off, the
 *     status path is no probe unless the drain endpoint is on, and then answers only {@code POST}
 */
public record ProbeConfig(String readinessPath, String statusPath, boolean drainEndpointEnabled,
    Optional<String> drainEndpointToken, boolean statusEnabled) {

  /** The shortest token accepted: shorter secrets are guessable. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private static final ProbeConfig DEFAULTS =
      new ProbeConfig("/readyz", "/drainz", false, Optional.empty(), true);

  /**
   * Validates the components.
   *
   * @param readinessPath see {@link #readinessPath()}
   * @param statusPath see {@link #statusPath()}
   * @param drainEndpointEnabled see {@link #drainEndpointEnabled()}
   * @param drainEndpointToken see {@link #drainEndpointToken()}
   * @param statusEnabled see {@link #statusEnabled()}
   * @throws IllegalArgumentException when a path does not start with {@code /}, the paths are
   *     equal, or the token is shorter than {@link #MIN_TOKEN_LENGTH} characters
   */
  public ProbeConfig {
    Objects.requireNonNull(readinessPath, "readinessPath");
    Objects.requireNonNull(statusPath, "statusPath");
    Objects.requireNonNull(drainEndpointToken, "drainEndpointToken");
    if (!readinessPath.startsWith("/") || !statusPath.startsWith("/")) {
      throw new IllegalArgumentException("probe paths must start with '/', were '"
          + readinessPath + "' and '" + statusPath + "'");
    }
    if (readinessPath.equals(statusPath)) {
      throw new IllegalArgumentException("the readiness and status paths must differ, both were '"
          + readinessPath + "'");
    }
    drainEndpointToken.ifPresent(token -> {
      if (token.length() < MIN_TOKEN_LENGTH || token.isBlank()) {
        throw new IllegalArgumentException("drain.endpoint.token must have at least "
            + MIN_TOKEN_LENGTH + " characters, had " + token.length());
      }
    });
  }

  /**
   * Creates the settings with the status page on.
   *
   * @param readinessPath see {@link #readinessPath()}
   * @param statusPath see {@link #statusPath()}
   * @param drainEndpointEnabled see {@link #drainEndpointEnabled()}
   * @param drainEndpointToken see {@link #drainEndpointToken()}
   */
  public ProbeConfig(String readinessPath, String statusPath, boolean drainEndpointEnabled,
      Optional<String> drainEndpointToken) {
    this(readinessPath, statusPath, drainEndpointEnabled, drainEndpointToken, true);
  }

  /**
   * Returns {@code /readyz}, {@code /drainz} with the status page on, drain endpoint off.
   *
   * @return the defaults
   */
  public static ProbeConfig defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a copy with the drain endpoint switched on and guarded by {@code token}.
   *
   * @param token the secret a {@code POST} must present; at least {@link #MIN_TOKEN_LENGTH}
   *     characters
   * @return the new settings
   */
  public ProbeConfig withDrainEndpoint(String token) {
    return new ProbeConfig(readinessPath, statusPath, true,
        Optional.of(Objects.requireNonNull(token, "token")), statusEnabled);
  }

  /**
   * Returns a copy with the drain endpoint switched on or off, the token unchanged.
   *
   * @param enabled whether {@code POST statusPath} starts a drain
   * @return the new settings
   */
  public ProbeConfig withDrainEndpointEnabled(boolean enabled) {
    return new ProbeConfig(readinessPath, statusPath, enabled, drainEndpointToken,
        statusEnabled);
  }

  /**
   * Returns a copy with another token.
   *
   * @param token the secret
   * @return the new settings
   */
  public ProbeConfig withDrainEndpointToken(String token) {
    return new ProbeConfig(readinessPath, statusPath, drainEndpointEnabled,
        Optional.of(Objects.requireNonNull(token, "token")), statusEnabled);
  }

  /**
   * Returns a copy with other paths.
   *
   * @param readiness the readiness path
   * @param status the status path
   * @return the new settings
   */
  public ProbeConfig withPaths(String readiness, String status) {
    return new ProbeConfig(readiness, status, drainEndpointEnabled, drainEndpointToken,
        statusEnabled);
  }

  /**
   * Returns a copy with the status page on or off.
   *
   * @param enabled whether {@code GET statusPath} answers the status
   * @return the new settings
   */
  public ProbeConfig withStatusEnabled(boolean enabled) {
    return new ProbeConfig(readinessPath, statusPath, drainEndpointEnabled, drainEndpointToken,
        enabled);
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "ProbeConfig{readinessPath=" + readinessPath + ", statusPath=" + statusPath
        + ", statusEnabled=" + statusEnabled
        + ", drainEndpointEnabled=" + drainEndpointEnabled + ", drainEndpointToken="
        + (drainEndpointToken.isPresent() ? "****" : "unset") + "}";
  }
}

package dev.drain.servlet;

import java.util.Objects;

/**
 * Where the probes answer and who may start a drain over HTTP. Immutable.
 *
 * @param readinessPath the readiness probe, {@code GET} → 200 {@code ready} / 503 {@code
 *     draining}; default {@code /readyz}
 * @param statusPath the status page, {@code GET} → JSON; default {@code /drainz}
 * @param drainEndpointEnabled whether {@code POST statusPath} starts a drain (for a Kubernetes
 *     {@code preStop} hook or a GCE shutdown script); default false, because anyone who can reach
 *     it can take the instance out
 * @param drainEndpointRemote whether the drain endpoint answers clients other than loopback;
 *     default false
 */
public record ProbeSettings(String readinessPath, String statusPath, boolean drainEndpointEnabled,
    boolean drainEndpointRemote) {

  private static final ProbeSettings DEFAULTS = new ProbeSettings("/readyz", "/drainz", false,
      false);

  /**
   * Validates the components.
   *
   * @param readinessPath see {@link #readinessPath()}
   * @param statusPath see {@link #statusPath()}
   * @param drainEndpointEnabled see {@link #drainEndpointEnabled()}
   * @param drainEndpointRemote see {@link #drainEndpointRemote()}
   */
  public ProbeSettings {
    Objects.requireNonNull(readinessPath, "readinessPath");
    Objects.requireNonNull(statusPath, "statusPath");
    if (!readinessPath.startsWith("/") || !statusPath.startsWith("/")) {
      throw new IllegalArgumentException("probe paths must start with '/', were '"
          + readinessPath + "' and '" + statusPath + "'");
    }
  }

  /**
   * Returns {@code /readyz}, {@code /drainz}, drain endpoint off.
   *
   * @return the defaults
   */
  public static ProbeSettings defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a copy with the drain endpoint switched on or off.
   *
   * @param enabled whether {@code POST /drainz} starts a drain
   * @param remote whether non-loopback clients may call it
   * @return the new settings
   */
  public ProbeSettings withDrainEndpoint(boolean enabled, boolean remote) {
    return new ProbeSettings(readinessPath, statusPath, enabled, remote);
  }
}

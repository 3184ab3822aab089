package dev.drain.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;

/**
 * The probes' semantics, shared by every adapter: an adapter asks {@link #answer} for each
 * request and writes the answer it gets, adding {@code Connection: close} while draining.
 *
 * <ul>
 *   <li>{@code GET}/{@code HEAD} readiness path → 200 {@code ready} / 503 {@code draining};
 *   <li>{@code GET}/{@code HEAD} status path → 200 {@link DrainStatus#toJson()} when {@link
 *       ProbeConfig#statusEnabled()}; with the status off the path is no probe at all, unless the
 *       drain endpoint is on, and then {@code GET} gets 405 and nothing of the status;
 *   <li>{@code POST} status path → 202 and the status once the drain started, when {@link
 *       ProbeConfig#drainEndpointEnabled()} and the request carries {@code Authorization: Bearer
 *       <token>}; 401 with a wrong or missing token; 405 when the endpoint is off;
 *   <li>any other method → 405 with {@code Allow}.
 * </ul>
 */
public final class ProbeEndpoint {

  private static final String TEXT = "text/plain;charset=utf-8";
  private static final String JSON = "application/json";

  private final Drain drain;
  private final ProbeConfig config;
  private final byte[] token;

  /**
   * Creates the endpoint with the drain's {@link DrainConfig#probes()}.
   *
   * @param drain the drain; must not be null
   */
  public ProbeEndpoint(Drain drain) {
    this.drain = Objects.requireNonNull(drain, "drain");
    this.config = drain.config().probes();
    this.token = config.drainEndpointToken()
        .map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8)).orElse(null);
  }

  /**
   * Returns the settings.
   *
   * @return the probe settings
   */
  public ProbeConfig config() {
    return config;
  }

  /**
   * Returns whether {@code path} is one of the probes; cheap enough for every request.
   *
   * @param path the request path without the query
   * @return true for the readiness or status path
   */
  public boolean isProbe(String path) {
    return path.equals(config.readinessPath()) || path.equals(config.statusPath())
        && (config.statusEnabled() || config.drainEndpointEnabled());
  }

  /**
   * Returns whether a request comes from a health checker rather than a client: the kubelet's
   * probes ({@code kube-probe/}), Google Cloud's ({@code GoogleHC/}), AWS load balancers' and
   * Route 53's, and Consul's. An adapter does not count such a request as an arrival: it must not
   * extend the quiet period, since a checker keeps probing until the instance is gone.
   *
   * @param userAgent the {@code User-Agent} header, or null
   * @return true for a known health checker
   */
  public static boolean isHealthChecker(String userAgent) {
    if (userAgent == null) {
      return false;
    }
    for (String checker : HEALTH_CHECKERS) {
      if (userAgent.startsWith(checker)) {
        return true;
      }
    }
    return false;
  }

  private static final java.util.List<String> HEALTH_CHECKERS = java.util.List.of("kube-probe/",
      "GoogleHC/", "ELB-HealthChecker/", "Amazon-Route53-Health-Check-Service",
      "Consul Health Check");

  /**
   * Answers a probe request; starts the drain for an authorized {@code POST}.
   *
   * @param method the request method
   * @param path the request path without the query
   * @param authorization the {@code Authorization} header, or null
   * @return the answer, or null when {@code path} is not a probe
   */
  public Answer answer(String method, String path, String authorization) {
    if (path.equals(config.readinessPath())) {
      if (!method.equals("GET") && !method.equals("HEAD")) {
        return methodNotAllowed("GET, HEAD");
      }
      boolean ready = drain.isReady();
      return new Answer(ready ? 200 : 503, TEXT, ready ? "ready\n" : "draining\n", Map.of());
    }
    if (!isProbe(path)) {
      return null;
    }
    boolean status = config.statusEnabled();
    if (status && (method.equals("GET") || method.equals("HEAD"))) {
      return new Answer(200, JSON, drain.status().toJson() + "\n", Map.of());
    }
    if (!config.drainEndpointEnabled()) {
      return methodNotAllowed("GET, HEAD");
    }
    if (!method.equals("POST")) {
      return methodNotAllowed(status ? "GET, HEAD, POST" : "POST");
    }
    if (!authorized(authorization)) {
      return new Answer(401, TEXT, "the drain endpoint needs Authorization: Bearer <token>\n",
          Map.of("WWW-Authenticate", "Bearer"));
    }
    drain.startDrain("POST " + config.statusPath());
    return new Answer(202, JSON, drain.status().toJson() + "\n", Map.of());
  }

  /** Compares in constant time, so the token cannot be guessed byte by byte from timings. */
  private boolean authorized(String authorization) {
    return token != null && authorization != null
        && MessageDigest.isEqual(token, authorization.trim().getBytes(StandardCharsets.UTF_8));
  }

  private static Answer methodNotAllowed(String allow) {
    return new Answer(405, TEXT, "method not allowed\n", Map.of("Allow", allow));
  }

  /**
   * What to write back for a probe.
   *
   * @param status the status code
   * @param contentType the {@code Content-Type}
   * @param body the body, UTF-8
   * @param headers further headers ({@code Allow}, {@code WWW-Authenticate})
   */
  public record Answer(int status, String contentType, String body, Map<String, String> headers) {

    /**
     * Validates the components.
     *
     * @param status see {@link #status()}
     * @param contentType see {@link #contentType()}
     * @param body see {@link #body()}
     * @param headers see {@link #headers()}
     */
    public Answer {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(body, "body");
      headers = Map.copyOf(headers);
    }

    /**
     * Returns the body as UTF-8 bytes.
     *
     * @return the bytes
     */
    public byte[] bodyBytes() {
      return body.getBytes(StandardCharsets.UTF_8);
    }
  }
}

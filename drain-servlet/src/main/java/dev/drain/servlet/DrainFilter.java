package dev.drain.servlet;

import dev.drain.core.Admission;
import dev.drain.core.Drain;
import dev.drain.core.Inflight;
import dev.drain.core.ProbeEndpoint;
import dev.drain.core.RequestInfo;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The servlet adapter: tracks every request from its entry to its end, counts body bytes as the
 * application reads them, answers the probes ({@link ProbeEndpoint}, configured by {@code
 * DrainConfig#probes()}), and while draining adds {@code Connection: close} to every response
 * committed after the drain started and refuses uploads that cannot finish (503 before the body
 * is read).
 *
 * <p>Map it first in the chain, on {@code /*}, for the {@code REQUEST} dispatcher, with async
 * support. A request ends when {@code doFilter} returns, or, for an async request, when its
 * {@code AsyncListener} sees the cycle complete (not at a timeout or error: the application may
 * still answer then) — on every path, so the in-flight count returns to exactly zero after
 * client aborts and exceptions. Body bytes the container reads itself (multipart, forms) are
 * counted when the server glue publishes its counter as {@link #BYTES_READ_ATTRIBUTE}.
 *
 * <pre>{@code
 * Drain drain = Drain.builder().build();
 * context.addFilter(new FilterHolder(new DrainFilter(drain)), "/*", EnumSet.of(REQUEST));
 * }</pre>
 */
public class DrainFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;

  /**
   * The request attribute under which server glue publishes a {@link LongSupplier} of the body
   * bytes the server has read for the request, its own reads included; set by the valve that
   * {@code TomcatServerControl.configure} installs. Jetty's own counter is read without it.
   */
  public static final String BYTES_READ_ATTRIBUTE = "dev.drain.servlet.bytesRead";

  /** The response header that ends the connection after the response. */
  static final String CONNECTION = "Connection";

  private final transient Drain drain;
  private final transient ProbeHandler probes;
  /** The health endpoints within the web application; their requests are not traffic. */
  private final List<String> healthPaths;

  /**
   * Creates the filter; the probes answer as {@code drain.config().probes()} says ({@code
   * /readyz}, {@code /drainz}, no {@code POST} by default).
   *
   * @param drain the drain; must not be null
   */
  public DrainFilter(Drain drain) {
    this(drain, List.of());
  }

  /**
   * Creates the filter with the application's own health endpoints: requests to them, and
   * requests from a known health checker ({@link ProbeEndpoint#isHealthChecker}), are served
   * but not tracked, so that they never count as traffic that extends the quiet period.
   *
   * @param drain the drain; must not be null
   * @param healthPaths paths within the web application, each with its sub-paths, e.g. {@code
   *     /actuator/health}
   */
  public DrainFilter(Drain drain, Collection<String> healthPaths) {
    this.drain = Objects.requireNonNull(drain, "drain");
    this.probes = new ProbeHandler(new ProbeEndpoint(drain), drain);
    this.healthPaths = List.copyOf(healthPaths);
  }

  /**
   * Returns the drain this filter reports to.
   *
   * @return the drain
   */
  public Drain drain() {
    return drain;
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    if (request.getDispatcherType() != DispatcherType.REQUEST) {
      chain.doFilter(request, response); // async and error dispatches belong to a tracked request
      return;
    }
    if (probes.handle(request, response)) {
      return;
    }
    if (healthCheck(request)) {
      if (drain.isDraining()) {
        response.setHeader(CONNECTION, "close");
      }
      chain.doFilter(request, response); // served, never traffic: no arrival, not tracked
      return;
    }
    RequestInfo info = new RequestInfo(request.getMethod(), pathOf(request), bodyLength(request));
    Admission admission = drain.admit(info);
    if (!admission.admitted()) {
      refuse(response, admission);
      return;
    }
    Inflight inflight = drain.begin(info);
    if (!inflight.tracked()) {
      refuse(response, Admission.drained(drain.config().retryAfter()));
      return;
    }
    if (info.hasBody()) {
      LongSupplier read = ServerBytesRead.of(request);
      if (read != null) {
        inflight.bytesReadFrom(read);
      }
    }
    ClosingResponse closing = new ClosingResponse(response, drain);
    TrackedRequestWrapper tracked = new TrackedRequestWrapper(request, inflight, closing);
    boolean async = false;
    try {
      closing.markIfDraining();
      chain.doFilter(tracked, closing);
      async = tracked.closesAsynchronously();
      if (!async) {
        closing.markIfDraining(); // a response the container commits after the chain returns
      }
    } finally {
      if (!async) {
        inflight.close();
      }
    }
  }

  private boolean healthCheck(HttpServletRequest request) {
    if (ProbeEndpoint.isHealthChecker(request.getHeader("User-Agent"))) {
      return true;
    }
    if (healthPaths.isEmpty()) {
      return false;
    }
    String path = ProbeHandler.pathInContext(request);
    for (String health : healthPaths) {
      if (path.equals(health) || path.startsWith(health)
          && path.charAt(health.length()) == '/') {
        return true;
      }
    }
    return false;
  }

  /** Answers {@code 503} with the refusal's headers and body, as every adapter does. */
  static void refuse(HttpServletResponse response, Admission refusal) throws IOException {
    response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    refusal.refusalHeaders().forEach(response::setHeader);
    response.setContentType(Admission.REFUSAL_CONTENT_TYPE);
    byte[] body = refusal.refusalBody();
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }


  static String pathOf(HttpServletRequest request) {
    String uri = request.getRequestURI();
    return uri == null ? "/" : uri;
  }

  /**
   * The declared body length: {@code Content-Length}, {@link RequestInfo#UNKNOWN_LENGTH} for a
   * chunked body, 0 for none. Servers reject malformed lengths with 400 before filters run; a
   * value that still gets here unreadable counts as a body of unknown length. HTTP/2 and HTTP/3
   * have no chunked encoding: a body of undeclared length is simply frames that follow the
   * headers, so there a request without {@code Content-Length} counts as a body of unknown
   * length unless its method is one that carries none ({@code GET}, {@code HEAD}, {@code
   * DELETE}, {@code OPTIONS}, {@code TRACE}, {@code CONNECT}).
   */
  static long bodyLength(HttpServletRequest request) {
    long length = request.getContentLengthLong();
    if (length > 0) {
      return length;
    }
    if (length == 0) {
      return 0;
    }
    String encoding = request.getHeader("Transfer-Encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      return RequestInfo.UNKNOWN_LENGTH;
    }
    if (request.getHeader("Content-Length") != null) {
      return RequestInfo.UNKNOWN_LENGTH;
    }
    return framedProtocol(request.getProtocol()) && !bodylessMethod(request.getMethod())
        ? RequestInfo.UNKNOWN_LENGTH : 0;
  }

  private static boolean framedProtocol(String protocol) {
    return protocol != null && (protocol.startsWith("HTTP/2") || protocol.startsWith("HTTP/3"));
  }

  private static boolean bodylessMethod(String method) {
    switch (method) {
      case "GET": case "HEAD": case "DELETE": case "OPTIONS": case "TRACE": case "CONNECT":
        return true;
      default:
        return false;
    }
  }
}

package dev.drain.servlet;

import dev.drain.core.Admission;
import dev.drain.core.Drain;
import dev.drain.core.Inflight;
import dev.drain.core.RequestInfo;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * The servlet adapter: tracks every request from its entry to its end, counts body bytes as the
 * application reads them, answers the probes, and while draining adds {@code Connection: close}
 * and refuses uploads that cannot finish (503 before the body is read).
 *
 * <p>Map it first in the chain, on {@code /*}, for the {@code REQUEST} dispatcher, with async
 * support. A request ends when {@code doFilter} returns, or, for an async request, when its
 * {@code AsyncListener} sees complete, timeout or error — on every path, so the in-flight count
 * returns to exactly zero after client aborts and exceptions.
 *
 * <pre>{@code
 * Drain drain = Drain.builder().build();
 * context.addFilter(new FilterHolder(new DrainFilter(drain)), "/*", EnumSet.of(REQUEST));
 * }</pre>
 */
public class DrainFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;

  /** The response header that ends the connection after the response. */
  static final String CONNECTION = "Connection";

  private final transient Drain drain;
  private final transient ProbeHandler probes;

  /**
   * Creates the filter with the default probes ({@code /readyz}, {@code /drainz}, no POST).
   *
   * @param drain the drain; must not be null
   */
  public DrainFilter(Drain drain) {
    this(drain, ProbeSettings.defaults());
  }

  /**
   * Creates the filter.
   *
   * @param drain the drain; must not be null
   * @param probes where the probes answer and whether {@code POST /drainz} is enabled
   */
  public DrainFilter(Drain drain, ProbeSettings probes) {
    this.drain = Objects.requireNonNull(drain, "drain");
    this.probes = new ProbeHandler(drain, Objects.requireNonNull(probes, "probes"));
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
    RequestInfo info = new RequestInfo(request.getMethod(), pathOf(request), bodyLength(request));
    Admission admission = drain.admit(info);
    if (!admission.admitted()) {
      refuse(response, admission.reason(), admission.retryAfterSeconds());
      return;
    }
    Inflight inflight = drain.begin(info);
    if (!inflight.tracked()) {
      Admission late = Admission.refuse("drained: this instance is shutting down",
          drain.config().retryAfter());
      refuse(response, late.reason(), late.retryAfterSeconds());
      return;
    }
    TrackedRequestWrapper tracked = new TrackedRequestWrapper(request, inflight);
    boolean async = false;
    try {
      markClosingIfDraining(response);
      chain.doFilter(tracked, response);
      markClosingIfDraining(response);
      async = tracked.closesAsynchronously();
    } finally {
      if (!async) {
        inflight.close();
      }
    }
  }

  private void markClosingIfDraining(HttpServletResponse response) {
    if (drain.isDraining() && !response.isCommitted()) {
      response.setHeader(CONNECTION, "close");
    }
  }

  static void refuse(HttpServletResponse response, String reason, long retryAfterSeconds)
      throws IOException {
    response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    response.setHeader("Retry-After", Long.toString(Math.max(0, retryAfterSeconds)));
    response.setHeader(CONNECTION, "close");
    response.setContentType("text/plain;charset=utf-8");
    byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
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
   * value that still gets here unreadable counts as a body of unknown length.
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
    return request.getHeader("Content-Length") != null ? RequestInfo.UNKNOWN_LENGTH : 0;
  }
}

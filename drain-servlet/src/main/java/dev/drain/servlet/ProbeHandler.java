package dev.drain.servlet;

import dev.drain.core.Drain;
import dev.drain.core.ProbeEndpoint;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** Writes the {@link ProbeEndpoint}'s answers as servlet responses. */
final class ProbeHandler {

  private final ProbeEndpoint endpoint;
  private final Drain drain;

  ProbeHandler(ProbeEndpoint endpoint, Drain drain) {
    this.endpoint = endpoint;
    this.drain = drain;
  }

  /**
   * Returns true when the request was a probe and has been answered. Probe paths are matched
   * within the web application, as its own mappings are: with a context path {@code /api} the
   * readiness probe is {@code /api/readyz}.
   */
  boolean handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = pathInContext(request);
    if (!endpoint.isProbe(path)) {
      return false;
    }
    ProbeEndpoint.Answer answer =
        endpoint.answer(request.getMethod(), path, request.getHeader("Authorization"));
    byte[] bytes = answer.bodyBytes();
    response.setStatus(answer.status());
    response.setContentType(answer.contentType());
    response.setHeader("Cache-Control", "no-store");
    for (Map.Entry<String, String> header : answer.headers().entrySet()) {
      response.setHeader(header.getKey(), header.getValue());
    }
    if (drain.isDraining()) {
      response.setHeader(DrainFilter.CONNECTION, "close");
    }
    response.setContentLength(bytes.length);
    if (!request.getMethod().equals("HEAD")) {
      response.getOutputStream().write(bytes);
    }
    return true;
  }

  /** The request's path without the context path, as a servlet mapping sees it. */
  static String pathInContext(HttpServletRequest request) {
    String uri = DrainFilter.pathOf(request);
    String context = request.getContextPath();
    if (context == null || context.isEmpty() || !uri.startsWith(context)) {
      return uri;
    }
    String inside = uri.substring(context.length());
    return inside.isEmpty() ? "/" : inside;
  }
}

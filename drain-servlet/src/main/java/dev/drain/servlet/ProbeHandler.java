package dev.drain.servlet;

import dev.drain.core.Drain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** Answers the readiness probe and the status page; starts a drain on POST when enabled. */
final class ProbeHandler {

  private final Drain drain;
  private final ProbeSettings settings;

  ProbeHandler(Drain drain, ProbeSettings settings) {
    this.drain = drain;
    this.settings = settings;
  }

  /** Returns true when the request was a probe and has been answered. */
  boolean handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = DrainFilter.pathOf(request);
    String method = request.getMethod();
    if (path.equals(settings.readinessPath())) {
      if (!method.equals("GET") && !method.equals("HEAD")) {
        methodNotAllowed(response, "GET, HEAD");
        return true;
      }
      boolean ready = drain.isReady();
      write(response, ready ? 200 : 503, "text/plain;charset=utf-8",
          ready ? "ready\n" : "draining\n");
      return true;
    }
    if (!path.equals(settings.statusPath())) {
      return false;
    }
    if (method.equals("GET") || method.equals("HEAD")) {
      write(response, 200, "application/json", drain.status().toJson() + "\n");
    } else if (method.equals("POST")) {
      startDrain(request, response);
    } else {
      methodNotAllowed(response, settings.drainEndpointEnabled() ? "GET, HEAD, POST" : "GET, HEAD");
    }
    return true;
  }

  private void startDrain(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!settings.drainEndpointEnabled()) {
      methodNotAllowed(response, "GET, HEAD");
      return;
    }
    if (!settings.drainEndpointRemote() && !loopback(request.getRemoteAddr())) {
      write(response, 403, "text/plain;charset=utf-8",
          "the drain endpoint answers loopback clients only\n");
      return;
    }
    drain.startDrain("POST " + settings.statusPath());
    write(response, 202, "application/json", drain.status().toJson() + "\n");
  }

  private void write(HttpServletResponse response, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType(type);
    response.setHeader("Cache-Control", "no-store");
    if (drain.isDraining()) {
      response.setHeader(DrainFilter.CONNECTION, "close");
    }
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private void methodNotAllowed(HttpServletResponse response, String allow) throws IOException {
    response.setHeader("Allow", allow);
    write(response, 405, "text/plain;charset=utf-8", "method not allowed\n");
  }

  private static boolean loopback(String address) {
    try {
      return address != null && InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}

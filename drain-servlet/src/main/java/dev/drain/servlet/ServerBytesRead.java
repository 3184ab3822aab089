package dev.drain.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.util.function.LongSupplier;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.Request;

/**
 * Finds the server's own count of body bytes read for a request, which also covers what the
 * container reads itself for {@code getParts()} and {@code getParameter()}: the {@link
 * DrainFilter#BYTES_READ_ATTRIBUTE} a server's glue published (Tomcat), or Jetty 12's counter.
 */
final class ServerBytesRead {

  private static final boolean JETTY_EE10 =
      present("org.eclipse.jetty.ee10.servlet.ServletContextRequest");

  private ServerBytesRead() {}

  /** Returns the counter, or null when the server keeps none that the filter can reach. */
  static LongSupplier of(HttpServletRequest request) {
    if (request.getAttribute(DrainFilter.BYTES_READ_ATTRIBUTE) instanceof LongSupplier counter) {
      return counter;
    }
    return JETTY_EE10 ? Jetty.of(request) : null;
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, ServerBytesRead.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Loaded only when Jetty's ee10 servlet classes are on the class path. */
  private static final class Jetty {
    static LongSupplier of(HttpServletRequest request) {
      ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
      if (jetty == null) {
        return null;
      }
      return () -> Math.max(0, Request.getContentBytesRead(jetty));
    }
  }
}

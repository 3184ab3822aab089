package dev.drain.benchmarks;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.servlet.DrainFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Two identical Jetty 12 servers on loopback ports the OS picks, one plain and one with {@link
 * DrainFilter} in front of the same servlets: {@code GET /hello} and {@code POST /upload}, which
 * reads the body with a 64 KiB buffer and answers its length.
 */
final class JettyPair implements AutoCloseable {

  final Server plain;
  final Server filtered;
  final Drain drain;

  JettyPair() throws Exception {
    plain = start(null);
    drain = Drain.builder()
        .config(DrainConfig.builder().propagationDelay(Duration.ZERO).build())
        .build();
    filtered = start(drain);
    drain.markReady();
  }

  static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  private static Server start(Drain drain) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new Hello()), "/hello");
    context.addServlet(new ServletHolder(new Upload()), "/upload");
    if (drain != null) {
      FilterHolder filter = new FilterHolder(new DrainFilter(drain));
      filter.setAsyncSupported(true);
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    server.setHandler(context);
    server.start();
    return server;
  }

  @Override
  public void close() throws Exception {
    plain.stop();
    filtered.stop();
  }

  private static final class Hello extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final byte[] BODY = "hello\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain");
      resp.setContentLength(BODY.length);
      resp.getOutputStream().write(BODY);
    }
  }

  private static final class Upload extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      InputStream in = req.getInputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
      }
      byte[] body = Long.toString(total).getBytes(StandardCharsets.US_ASCII);
      resp.setContentType("text/plain");
      resp.setContentLength(body.length);
      resp.getOutputStream().write(body);
    }
  }
}

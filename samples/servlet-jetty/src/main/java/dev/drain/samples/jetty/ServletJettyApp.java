package dev.drain.samples.jetty;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainResult;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.servlet.DrainFilter;
import dev.drain.servlet.jetty.JettyServerControl;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The samples' HTTP surface on plain embedded Jetty 12: {@code GET /hello}, streamed {@code POST
 * /upload}, {@code /readyz}, {@code /drainz}.
 *
 * <p>Arguments: {@code --server.port=N} (0 picks a free port), {@code --server.address=A},
 * {@code --server.idle-timeout=75s}, {@code --drain.<property>=<value>} as in Spring, and {@code
 * --drain.enabled=false} for the baseline: the same server with Jetty's own stop on SIGTERM and
 * no library. Prints {@code LISTENING port=N} once it serves.
 */
public final class ServletJettyApp {

  private ServletJettyApp() {}

  /**
   * Starts the server.
   *
   * @param args the arguments
   * @throws Exception when it cannot start
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> props = parse(args);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(props.getOrDefault("server.address", "127.0.0.1"));
    connector.setPort(Integer.parseInt(props.getOrDefault("server.port", "8080")));
    // Above nginx's and Kong's 60 s upstream keep-alive, so the proxy closes idle connections.
    connector.setIdleTimeout(DrainConfig.fromProperties(
        Map.of("drain.server-idle-timeout", props.getOrDefault("server.idle-timeout", "75s")))
        .serverIdleTimeout().orElseThrow().toMillis());
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new HelloServlet()), "/hello");
    context.addServlet(new ServletHolder(new UploadServlet()), "/upload");

    boolean enabled = Boolean.parseBoolean(props.getOrDefault("drain.enabled", "true"));
    if (enabled) {
      Map<String, String> drainProps = new LinkedHashMap<>(props);
      drainProps.putIfAbsent("drain.server-idle-timeout", connector.getIdleTimeout() + "ms");
      // Printed to stdout: the JDK's logging is reset by its own shutdown hook while we drain.
      Drain drain = Drain.builder().config(DrainConfig.fromProperties(drainProps))
          .listener(ServletJettyApp::print).build();
      FilterHolder filter = new FilterHolder(new DrainFilter(drain));
      filter.setAsyncSupported(true);
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
      server.setHandler(context);
      server.start();
      ShutdownCoordinator.install(drain, new JettyServerControl(server));
      drain.markReady();
    } else {
      context.addServlet(new ServletHolder(new AlwaysReadyServlet()), "/readyz");
      server.setHandler(context);
      server.setStopAtShutdown(true);
      server.start();
    }
    System.out.println("LISTENING port=" + connector.getLocalPort() + " drain=" + enabled);
    System.out.flush();
    server.join();
  }

  private static void print(DrainEvent event) {
    String line;
    if (event instanceof DrainEvent.StateChanged changed) {
      line = "DRAIN " + changed.from() + " -> " + changed.to() + " (" + changed.reason() + ")";
    } else if (event instanceof DrainEvent.Drained drained) {
      DrainResult result = drained.result();
      line = "DRAIN done in " + result.duration().toMillis() + " ms, "
          + (result.clean() ? "nothing cut" : "cut: " + result.cut() + " + "
              + result.cutWithoutBody() + " bodyless")
          + ", uploadsAdmitted=" + result.admittedUploads() + " refused=" + result.refused();
    } else {
      line = "DRAIN " + event;
    }
    System.out.println(line);
    System.out.flush();
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> props = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
      }
      props.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    return props;
  }

  static void write(HttpServletResponse response, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setContentType(type);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** {@code GET /hello}. */
  static final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      write(resp, "text/plain", "hello");
    }
  }

  /** The baseline's readiness: up means ready. */
  static final class AlwaysReadyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      write(resp, "text/plain", "ready\n");
    }
  }
}

package dev.drain.consumer.modular;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.servlet.DrainFilter;
import dev.drain.servlet.jetty.JettyServerControl;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * {@code GET /hello} and {@code GET /slow?ms=N} on Jetty 12, drained on SIGTERM. Arguments are
 * {@code --drain.<property>=<value>}. Prints {@code LISTENING port=N} with the modules the
 * library was loaded from, {@code SLOW started} when a slow request begins and the drain's
 * events.
 */
public final class JettyApp {

  private JettyApp() {}

  /**
   * Starts the service.
   *
   * @param args {@code --drain.<property>=<value>} settings
   * @throws Exception when it cannot start
   */
  public static void main(String[] args) throws Exception {
    DrainConfig config = DrainConfig.fromProperties(Arrays.stream(args)
        .map(arg -> arg.substring(2).split("=", 2))
        .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1])));
    Drain drain = Drain.builder().config(config).listener(JettyApp::print).build();

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(new AppServlet()), "/*");
    FilterHolder filter = new FilterHolder(new DrainFilter(drain));
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
    ShutdownCoordinator.install(drain, new JettyServerControl(server));
    drain.markReady();

    System.out.println("LISTENING port=" + connector.getLocalPort()
        + " core=" + Drain.class.getModule().getName()
        + " adapter=" + DrainFilter.class.getModule().getName()
        + " app=" + JettyApp.class.getModule().getName());
    server.join();
  }

  private static void print(DrainEvent event) {
    // stdout, not logging: the JDK resets its logging in its own shutdown hook.
    if (event instanceof DrainEvent.Drained drained) {
      System.out.println("DRAINED clean=" + drained.result().clean()
          + " reason=" + drained.result().reason()
          + " cut=" + (drained.result().cut().size() + drained.result().cutWithoutBody()));
    } else {
      System.out.println("DRAIN " + event);
    }
  }

  /** The application's own servlet. */
  private static final class AppServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String body;
      if ("/slow".equals(request.getRequestURI())) {
        System.out.println("SLOW started");
        try {
          Thread.sleep(Long.parseLong(request.getParameter("ms")));   // the request's own work
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        body = "slow";
      } else {
        body = "hello";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      response.setContentType("text/plain");
      response.setContentLength(bytes.length);
      response.getOutputStream().write(bytes);
    }
  }
}

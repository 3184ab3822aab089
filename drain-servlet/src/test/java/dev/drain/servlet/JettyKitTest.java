package dev.drain.servlet;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.servlet.jetty.JettyServerControl;
import dev.drain.test.DrainBehaviourKit;
import dev.drain.test.KitServer;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The behaviour kit on a real Jetty 12 (ee10) server. */
class JettyKitTest extends DrainBehaviourKit {

  @Override
  protected KitServer start(DrainConfig config) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    Drain drain = Drain.builder().config(config).build();
    KitServlets servlets = new KitServlets();
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    FilterHolder filter = new FilterHolder(new DrainFilter(drain));
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    servlets.byPath().forEach((path, servlet) -> {
      ServletHolder holder = new ServletHolder(servlet);
      holder.setAsyncSupported(true);
      context.addServlet(holder, path);
    });
    server.setHandler(context);
    server.start();
    ShutdownCoordinator coordinator =
        ShutdownCoordinator.create(drain, new JettyServerControl(server));
    drain.markReady();
    int port = connector.getLocalPort();
    return KitServer.of(port, drain, coordinator, servlets.uploadBytes::get, () -> {
      server.stop();
      servlets.close();
    });
  }
}

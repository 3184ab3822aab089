package dev.drain.servlet;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.servlet.jetty.JettyServerControl;
import dev.drain.servlet.tomcat.TomcatServerControl;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 (ee10) or Tomcat 11 on 127.0.0.1 and a port the OS chose, wired as the README
 * says: the {@link DrainFilter} first on {@code /*} with async support, the given servlets (async
 * supported, multipart configured), h2c (prior knowledge and upgrade) beside HTTP/1.1, and a
 * {@link ShutdownCoordinator} created but not installed as a JVM hook.
 */
final class ServletServer implements AutoCloseable {

  /** The servers the servlet adapter supports. */
  enum Kind { JETTY, TOMCAT }

  /** Forms larger than the servers' defaults (Jetty 200 KB, Tomcat 2 MB) for upload tests. */
  private static final int MAX_FORM = 16 * 1024 * 1024;

  private final int port;
  private final Drain drain;
  private final ShutdownCoordinator coordinator;
  private final AutoCloseable stop;

  private ServletServer(int port, Drain drain, ShutdownCoordinator coordinator,
      AutoCloseable stop) {
    this.port = port;
    this.drain = drain;
    this.coordinator = coordinator;
    this.stop = stop;
  }

  static ServletServer start(Kind kind, Drain drain, Map<String, HttpServlet> servlets)
      throws Exception {
    ServletServer server = kind == Kind.JETTY ? jetty(drain, servlets) : tomcat(drain, servlets);
    drain.markReady();
    return server;
  }

  static ServletServer start(Kind kind, DrainConfig config, Map<String, HttpServlet> servlets)
      throws Exception {
    return start(kind, Drain.builder().config(config).build(), servlets);
  }

  int port() {
    return port;
  }

  Drain drain() {
    return drain;
  }

  ShutdownCoordinator coordinator() {
    return coordinator;
  }

  @Override
  public void close() throws Exception {
    stop.close();
  }

  private static MultipartConfigElement multipart() throws Exception {
    return new MultipartConfigElement(Files.createTempDirectory("multipart").toString());
  }

  private static ServletServer jetty(Drain drain, Map<String, HttpServlet> servlets)
      throws Exception {
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http),
        new HTTP2CServerConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.setMaxFormContentSize(MAX_FORM);
    FilterHolder filter = new FilterHolder(new DrainFilter(drain));
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    for (Map.Entry<String, HttpServlet> entry : servlets.entrySet()) {
      ServletHolder holder = new ServletHolder(entry.getValue());
      holder.setAsyncSupported(true);
      holder.getRegistration().setMultipartConfig(multipart());
      context.addServlet(holder, entry.getKey());
    }
    server.setHandler(context);
    server.start();
    ShutdownCoordinator coordinator =
        ShutdownCoordinator.create(drain, new JettyServerControl(server));
    return new ServletServer(connector.getLocalPort(), drain, coordinator, server::stop);
  }

  private static ServletServer tomcat(Drain drain, Map<String, HttpServlet> servlets)
      throws Exception {
    Path base = Files.createTempDirectory("tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    tomcat.getConnector().addUpgradeProtocol(new Http2Protocol());
    tomcat.getConnector().setMaxPostSize(MAX_FORM);
    TomcatServerControl.configure(tomcat.getConnector());
    Context context = tomcat.addContext("", base.toString());
    FilterDef filter = new FilterDef();
    filter.setFilterName("drain");
    filter.setFilter(new DrainFilter(drain));
    filter.setAsyncSupported("true");
    context.addFilterDef(filter);
    FilterMap map = new FilterMap();
    map.setFilterName("drain");
    map.addURLPattern("/*");
    context.addFilterMap(map);
    for (Map.Entry<String, HttpServlet> entry : servlets.entrySet()) {
      String name = "servlet" + entry.getKey().replace('/', '-');
      Wrapper wrapper = Tomcat.addServlet(context, name, entry.getValue());
      wrapper.setAsyncSupported(true);
      wrapper.setMultipartConfigElement(multipart());
      context.addServletMappingDecoded(entry.getKey(), name);
    }
    tomcat.start();
    ShutdownCoordinator coordinator =
        ShutdownCoordinator.create(drain, new TomcatServerControl(tomcat));
    return new ServletServer(tomcat.getConnector().getLocalPort(), drain, coordinator, () -> {
      // The coordinator may still be stopping it on its own thread (it does not wait for a
      // stop that the grace period has no room for).
      synchronized (tomcat) {
        if (tomcat.getServer().getState().isAvailable()) {
          tomcat.stop();
        }
        if (tomcat.getServer().getState() == LifecycleState.STOPPED) {
          tomcat.destroy();
        }
      }
    });
  }
}

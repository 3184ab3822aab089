package dev.drain.servlet;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.servlet.tomcat.TomcatServerControl;
import dev.drain.test.DrainBehaviourKit;
import dev.drain.test.KitServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** The behaviour kit on a real Tomcat 11 server. */
class TomcatKitTest extends DrainBehaviourKit {

  @Override
  protected KitServer start(DrainConfig config) throws Exception {
    Path base = Files.createTempDirectory("tomcat-kit");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    TomcatServerControl.configure(tomcat.getConnector());
    Drain drain = Drain.builder().config(config).build();
    KitServlets servlets = new KitServlets();
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
    servlets.byPath().forEach((path, servlet) -> {
      String name = "kit" + path.replace('/', '-');
      Wrapper wrapper = Tomcat.addServlet(context, name, servlet);
      wrapper.setAsyncSupported(true);
      context.addServletMappingDecoded(path, name);
    });
    tomcat.start();
    ShutdownCoordinator coordinator =
        ShutdownCoordinator.create(drain, new TomcatServerControl(tomcat));
    drain.markReady();
    int port = tomcat.getConnector().getLocalPort();
    return KitServer.of(port, drain, coordinator, servlets.uploadBytes::get, () -> {
      // The coordinator may still be stopping it on its own thread (it does not wait for a stop
      // that the grace period has no room for).
      synchronized (tomcat) {
        LifecycleState state = tomcat.getServer().getState();
        if (state.isAvailable()) {
          tomcat.stop();
        }
        if (tomcat.getServer().getState() == LifecycleState.STOPPED) {
          tomcat.destroy();
        }
      }
      servlets.close();
    });
  }
}

package dev.drain.spring;

import dev.drain.core.DrainResult;
import dev.drain.core.ServerControl;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/**
 * The {@link ServerControl} of Spring Boot's running web server, found when a drain first needs
 * it: each server the starter knows (Tomcat, Jetty, Reactor Netty) contributes a {@link Glue}
 * bean that recognises its {@link WebServer}. With none that matches, the drain still runs and
 * Spring Boot's own shutdown stops the server afterwards.
 */
public final class WebServerControl implements ServerControl {

  private static final System.Logger LOG = System.getLogger("dev.drain");

  /** Makes the drain glue for one kind of web server. */
  @FunctionalInterface
  public interface Glue {

    /**
     * Returns the glue for {@code server}, or null when it is not this glue's kind.
     *
     * @param server the running web server
     * @return the control, or null
     */
    ServerControl controlFor(WebServer server);
  }

  private final Supplier<WebServer> webServer;
  private final List<Glue> glues;
  private volatile ServerControl resolved;

  /**
   * Creates the control.
   *
   * @param webServer the application's running web server, or null before it started
   * @param glues the glue of each known server kind
   */
  public WebServerControl(Supplier<WebServer> webServer, List<Glue> glues) {
    this.webServer = Objects.requireNonNull(webServer, "webServer");
    this.glues = List.copyOf(glues);
  }

  /**
   * Returns the control of the web server {@code context} runs, if it runs one.
   *
   * @param context the application context
   * @param glues the glue of each known server kind
   * @return the control
   */
  public static WebServerControl of(ApplicationContext context, List<Glue> glues) {
    return new WebServerControl(() -> context instanceof WebServerApplicationContext web
        ? web.getWebServer() : null, glues);
  }

  @Override
  public void stopAccepting() throws Exception {
    ServerControl control = resolve();
    if (control != null) {
      control.stopAccepting();
    }
  }

  @Override
  public void stop(DrainResult result, Duration remaining) throws Exception {
    ServerControl control = resolve();
    if (control != null) {
      control.stop(result, remaining);
    }
  }

  private ServerControl resolve() {
    ServerControl control = resolved;
    if (control != null) {
      return control;
    }
    WebServer server = webServer.get();
    if (server == null) {
      return null;
    }
    for (Glue glue : glues) {
      control = glue.controlFor(server);
      if (control != null) {
        resolved = control;
        return control;
      }
    }
    LOG.log(System.Logger.Level.WARNING, "graceful-drain: no glue for "
        + server.getClass().getName() + "; Spring Boot's own shutdown stops it after the drain");
    return null;
  }
}

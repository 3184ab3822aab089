package dev.drain.spring;

import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.servlet.KitServletsForSpring;
import dev.drain.test.KitServer;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletRegistration;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts a real Spring Boot application with the starter on one of Boot's servers, on 127.0.0.1
 * and a port the OS picks, serving the kit's surface: the servlet adapter's kit servlets on
 * Tomcat and Jetty, {@link ReactiveKitRoutes} on Reactor Netty. The drain comes from the kit's
 * settings as the application's own {@link Drain} bean; everything else is the starter's.
 */
final class SpringKitServer {

  /** Boot's server to run on. */
  enum Kind {
    TOMCAT, JETTY, NETTY
  }

  private static final String TOMCAT_SERVLET =
      "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";
  private static final String JETTY_SERVLET =
      "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";
  private static final String TOMCAT_REACTIVE =
      "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration";
  private static final String JETTY_REACTIVE =
      "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration";

  private SpringKitServer() {}

  /** The application: auto-configuration only. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  static KitServer start(Kind kind, DrainConfig config, String... properties) {
    Drain drain = Drain.builder().config(config).build();
    AtomicLong reactiveUploadBytes = new AtomicLong();
    KitServletsForSpring servlets = new KitServletsForSpring(drain::inflight);
    List<String> props = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
        "spring.main.banner-mode=off", "logging.level.root=WARN",
        // h2c beside HTTP/1.1, as the kit's HTTP/2 scenario needs
        "server.http2.enabled=true"));
    props.addAll(List.of(properties));
    SpringApplicationBuilder builder = new SpringApplicationBuilder(App.class);
    switch (kind) {
      case TOMCAT -> {
        builder.web(WebApplicationType.SERVLET);
        props.add("spring.autoconfigure.exclude=" + JETTY_SERVLET);
      }
      case JETTY -> {
        builder.web(WebApplicationType.SERVLET);
        props.add("spring.autoconfigure.exclude=" + TOMCAT_SERVLET);
      }
      default -> {
        builder.web(WebApplicationType.REACTIVE);
        props.add("spring.autoconfigure.exclude=" + TOMCAT_REACTIVE + "," + JETTY_REACTIVE);
      }
    }
    builder.properties(props.toArray(String[]::new));
    builder.initializers(context -> {
      context.getBeanFactory().registerSingleton("drain", drain);
      if (kind == Kind.NETTY) {
        context.getBeanFactory().registerSingleton("kitRoutes",
            ReactiveKitRoutes.routes(drain, reactiveUploadBytes));
      } else {
        context.getBeanFactory().registerSingleton("kitServlets", servletsOf(servlets));
      }
    });
    ConfigurableApplicationContext context = builder.run();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
    return KitServer.of(port, drain, coordinator,
        () -> kind == Kind.NETTY ? reactiveUploadBytes.get() : servlets.uploadBytes(), () -> {
          context.close();
          servlets.close();
        });
  }

  private static ServletContextInitializer servletsOf(KitServletsForSpring servlets) {
    return servletContext -> {
      String multipart;
      try {
        multipart = Files.createTempDirectory("multipart").toString();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
      for (Map.Entry<String, jakarta.servlet.http.HttpServlet> entry
          : servlets.byPath().entrySet()) {
        ServletRegistration.Dynamic registration =
            servletContext.addServlet("kit" + entry.getKey(), entry.getValue());
        registration.addMapping(entry.getKey());
        registration.setAsyncSupported(true);
        registration.setMultipartConfig(new MultipartConfigElement(multipart));
      }
    };
  }
}

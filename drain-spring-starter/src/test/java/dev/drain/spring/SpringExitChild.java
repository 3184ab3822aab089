package dev.drain.spring;

import dev.drain.core.Drain;
import dev.drain.core.DrainEvent;
import java.time.Duration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A Spring Boot application with the starter in a JVM of its own, for {@link
 * SpringExitBeforeGraceProcessTest}: {@code GET /stuck} runs for a minute and ignores interrupts
 * (like a JDBC call), so the drain reaches its deadline with it in flight. It prints {@code PORT
 * n} once ready and {@code DRAINED deadlineReached=b cut=n} (n: every request cut, with or
 * without a body).
 *
 * <p>Arguments: server ({@code TOMCAT}, {@code JETTY}, {@code NETTY}), grace period in ms,
 * safety margin in ms.
 */
public final class SpringExitChild {

  private static final String TOMCAT = "org.springframework.boot.tomcat.autoconfigure";
  private static final String JETTY = "org.springframework.boot.jetty.autoconfigure";

  private SpringExitChild() {}

  /** The application. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  /** The servlet handler. */
  @RestController
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  static class Stuck {
    @GetMapping("/stuck")
    String stuck() {
      return ignoreInterrupts();
    }
  }

  /** The reactive handler, on a worker thread as blocking work belongs. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  static class StuckReactive {
    @Bean
    RouterFunction<ServerResponse> stuck() {
      return RouterFunctions.route().GET("/stuck", request -> ServerResponse.ok().body(
          Mono.fromCallable(SpringExitChild::ignoreInterrupts)
              .subscribeOn(Schedulers.boundedElastic()), String.class)).build();
    }
  }

  static String ignoreInterrupts() {
    say("STUCK");
    long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (System.nanoTime() < end) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException ignored) {
        // like a JDBC call: an interrupt does not end it
      }
    }
    return "done";
  }

  /**
   * Runs the application.
   *
   * @param args server, grace period ms, safety margin ms
   */
  public static void main(String[] args) {
    String kind = args[0];
    SpringApplicationBuilder builder = new SpringApplicationBuilder(App.class, Stuck.class,
        StuckReactive.class);
    String exclude;
    switch (kind) {
      case "TOMCAT" -> {
        builder.web(WebApplicationType.SERVLET);
        exclude = JETTY + ".servlet.JettyServletWebServerAutoConfiguration";
      }
      case "JETTY" -> {
        builder.web(WebApplicationType.SERVLET);
        exclude = TOMCAT + ".servlet.TomcatServletWebServerAutoConfiguration";
      }
      default -> {
        builder.web(WebApplicationType.REACTIVE);
        exclude = TOMCAT + ".reactive.TomcatReactiveWebServerAutoConfiguration,"
            + JETTY + ".reactive.JettyReactiveWebServerAutoConfiguration";
      }
    }
    builder.properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off",
        "logging.level.root=WARN", "spring.autoconfigure.exclude=" + exclude,
        "drain.grace-period=" + args[1] + "ms", "drain.safety-margin=" + args[2] + "ms",
        "drain.propagation-delay=0s", "drain.quiet-period=0s");
    builder.listeners((ApplicationReadyEvent ready) -> {
      Drain drain = ready.getApplicationContext().getBean(Drain.class);
      drain.addListener(event -> {
        if (event instanceof DrainEvent.RequestCut cut) {
          say("CUT " + cut.request());
        } else if (event instanceof DrainEvent.Drained drained) {
          say("DRAINED deadlineReached=" + drained.result().deadlineReached() + " cut="
              + (drained.result().cut().size() + drained.result().cutWithoutBody()));
        }
      });
      say("PORT " + ((WebServerApplicationContext) ready.getApplicationContext())
          .getWebServer().getPort());
    });
    builder.run();
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}

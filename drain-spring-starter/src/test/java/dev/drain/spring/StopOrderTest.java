package dev.drain.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.core.Drain;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainState;
import dev.drain.test.RawHttp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The real stop order in a Spring Boot application on Tomcat with actuator: the drain starts,
 * readiness is 503 at once while the application still serves, and only once the drain is over
 * does Spring Boot's web-server graceful-shutdown phase run.
 */
class StopOrderTest {

  private static final List<String> EVENTS = new CopyOnWriteArrayList<>();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @RestController
  static class App {

    @GetMapping("/hello")
    String hello() {
      return "hello";
    }

    /** Stops in the same phase as Spring Boot's graceful shutdown of the web server. */
    @Bean
    SmartLifecycle gracefulShutdownPhaseWitness() {
      return new SmartLifecycle() {
        private volatile boolean running;

        @Override
        public void start() {
          running = true;
        }

        @Override
        public void stop() {
          EVENTS.add("web server graceful-shutdown phase");
          running = false;
        }

        @Override
        public boolean isRunning() {
          return running;
        }

        @Override
        public int getPhase() {
          return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE;
        }
      };
    }

    @Bean
    ApplicationListener<AvailabilityChangeEvent<ReadinessState>> readinessWitness() {
      return event -> EVENTS.add("readiness " + event.getState());
    }
  }

  /** Starts the application on Tomcat, on 127.0.0.1 and a port the OS picks. */
  private static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.SERVLET)
        .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off",
            "spring.autoconfigure.exclude=org.springframework.boot.jetty.autoconfigure.servlet"
                + ".JettyServletWebServerAutoConfiguration")
        .properties(properties)
        .run();
  }

  @Test
  void theDrainRunsWhileTheServerServesAndEndsBeforeTheServersGracefulShutdown()
      throws Exception {
    EVENTS.clear();
    ConfigurableApplicationContext context = start("drain.propagation-delay=1500ms",
        "drain.quiet-period=0s", "drain.grace-period=10s",
        "management.endpoints.web.exposure.include=health");
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    Drain drain = context.getBean(Drain.class);
    drain.addListener(event -> {
      if (event instanceof DrainEvent.StateChanged changed) {
        EVENTS.add("drain " + changed.to());
      } else if (event instanceof DrainEvent.StopAccepting) {
        EVENTS.add("drain stop accepting");
      }
    });
    try (RawHttp readiness = new RawHttp(port)) {
      assertThat(readiness.get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
    await().atMost(Duration.ofSeconds(5)).until(() -> drain.state() == DrainState.DRAINING);
    try (RawHttp client = new RawHttp(port)) {
      RawHttp.Response ready = client.get("/actuator/health/readiness");
      assertThat(ready.status()).as("readiness while draining").isEqualTo(503);
    }
    try (RawHttp client = new RawHttp(port)) {
      RawHttp.Response hello = client.get("/hello");
      assertThat(hello.status()).as("served through the propagation delay").isEqualTo(200);
      assertThat(hello.connectionClose()).as("Connection: close while draining").isTrue();
    }
    assertThat(EVENTS).as("still draining when served").doesNotContain("drain DRAINED");
    closing.get(15, TimeUnit.SECONDS);

    assertThat(EVENTS).containsSubsequence("readiness REFUSING_TRAFFIC", "drain DRAINING",
        "drain stop accepting", "drain DRAINED", "web server graceful-shutdown phase");
  }

  @Test
  void theActuatorWriteOperationStartsTheDrainAndReadinessFollowsAtOnce() throws Exception {
    ConfigurableApplicationContext context = start("drain.propagation-delay=5s",
        "drain.grace-period=10s", "management.endpoints.web.exposure.include=health,drain",
        "management.endpoint.drain.access=unrestricted");
    try {
      // The starter's environment defaults, registered in spring.factories, are in force.
      assertThat(context.getEnvironment().getProperty("spring.lifecycle.timeout-per-shutdown-phase"))
          .isEqualTo("10s");
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      try (RawHttp client = new RawHttp(port)) {
        RawHttp.Response status = client.get("/actuator/drain");
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.body()).contains("\"state\":\"SERVING\"");
      }
      try (RawHttp client = new RawHttp(port)) {
        client.send("POST /actuator/drain HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        assertThat(client.read().status()).isEqualTo(200);
      }
      assertThat(context.getBean(Drain.class).state()).isEqualTo(DrainState.DRAINING);
      try (RawHttp client = new RawHttp(port)) {
        assertThat(client.get("/actuator/health/readiness").status()).isEqualTo(503);
      }
      try (RawHttp client = new RawHttp(port)) {
        assertThat(client.get("/readyz").status()).isEqualTo(503);
      }
    } finally {
      context.close();
    }
  }

  @Test
  void withoutAccessTheWriteOperationIsNotServed() throws Exception {
    ConfigurableApplicationContext context = start("drain.propagation-delay=0s",
        "drain.grace-period=10s", "management.endpoints.web.exposure.include=health,drain");
    try {
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      try (RawHttp client = new RawHttp(port)) {
        client.send("POST /actuator/drain HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        assertThat(client.read().status()).isIn(404, 405);
      }
      assertThat(context.getBean(Drain.class).state()).isEqualTo(DrainState.SERVING);
      context.stop(); // a stop that is not a close drains nothing
      assertThat(context.getBean(Drain.class).state()).isEqualTo(DrainState.SERVING);
      assertThat(context.getBean(DrainLifecycle.class).isRunning()).isFalse();
    } finally {
      context.close();
    }
  }
}

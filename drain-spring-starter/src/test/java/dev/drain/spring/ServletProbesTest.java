package dev.drain.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The probes the starter's filter answers on a real Tomcat, with the starter's defaults. */
@ExtendWith(OutputCaptureExtension.class)
class ServletProbesTest {

  private static final String JETTY_SERVLET =
      "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  /** An application with its own {@code /readyz} and {@code /hello}. */
  @RestController
  static class Own {
    @GetMapping("/hello")
    String hello() {
      return "hello";
    }
  }

  /** An application that maps the readiness probe's path itself. */
  @RestController
  static class OwnReadiness {
    @GetMapping("/readyz")
    String ready() {
      return "mine";
    }
  }

  private static ConfigurableApplicationContext start(String... properties) {
    return start(Own.class, properties);
  }

  private static ConfigurableApplicationContext start(Class<?> controller,
      String... properties) {
    List<String> props = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
        "spring.main.banner-mode=off", "spring.autoconfigure.exclude=" + JETTY_SERVLET));
    props.addAll(List.of(properties));
    return new SpringApplicationBuilder(App.class, controller).web(WebApplicationType.SERVLET)
        .properties(props.toArray(String[]::new)).run();
  }

  private HttpResponse<String> get(ConfigurableApplicationContext context, String path)
      throws Exception {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theStatusPageIsOffUnderSpringAndReadinessTellsNoDetails() throws Exception {
    try (ConfigurableApplicationContext context = start()) {
      HttpResponse<String> status = get(context, "/drainz");
      assertThat(status.statusCode()).isEqualTo(404);
      assertThat(status.body()).doesNotContain("inflight").doesNotContain("uploads");
      HttpResponse<String> ready = get(context, "/readyz");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).isEqualTo("ready\n");
      assertThat(get(context, "/hello").body()).isEqualTo("hello");
    }
  }

  @Test
  void theActuatorAndTheStatusPageServeOneRepresentation() throws Exception {
    // A delay keeps the server serving while draining, so both reads see a deadline.
    try (ConfigurableApplicationContext context = start("drain.probe.status-enabled=true",
        "management.endpoints.web.exposure.include=drain", "drain.propagation-delay=2s",
        "drain.quiet-period=0s")) {
      dev.drain.core.Drain drain = context.getBean(dev.drain.core.Drain.class);
      // An upload in flight and a deadline: every kind of value the status has.
      try (dev.drain.core.Inflight upload = drain.begin(
          new dev.drain.core.RequestInfo("PUT", "/files/a \"b\"", 50L << 20))) {
        drain.startDrain("test");
        HttpResponse<String> actuator = get(context, "/actuator/drain");
        HttpResponse<String> probe = get(context, "/drainz");
        assertThat(actuator.statusCode()).isEqualTo(200);
        assertThat(probe.statusCode()).isEqualTo(200);
        String shape = "\\d+"; // the deadline and rates move between the two reads
        assertThat(actuator.body().replaceAll(shape, "N"))
            .isEqualTo(probe.body().trim().replaceAll(shape, "N"));
        assertThat(actuator.body()).contains("\"deadlineInMillis\":")
            .contains("\"path\":\"/files/a \\\"b\\\"\"")
            .doesNotContain("PT").doesNotContain("untilDeadline");
      }
    }
  }

  @Test
  void withAContextPathTheProbesAreInsideIt() throws Exception {
    try (ConfigurableApplicationContext context = start("server.servlet.context-path=/api")) {
      HttpResponse<String> ready = get(context, "/api/readyz");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).isEqualTo("ready\n");
      assertThat(get(context, "/api/hello").body()).isEqualTo("hello");
      assertThat(get(context, "/readyz").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void anApplicationMappingAProbePathIsWarnedAtStartup(CapturedOutput output) throws Exception {
    try (ConfigurableApplicationContext context = start(OwnReadiness.class)) {
      assertThat(get(context, "/readyz").body()).isEqualTo("ready\n");
    }
    assertThat(output.getAll().lines().filter(line -> line.contains("WARN")
        && line.contains("answers /readyz before") && line.contains("OwnReadiness#ready")
        && line.contains("set drain.probe.readiness-path to another path"))).hasSize(1);
  }

  @Test
  void noWarningWithoutACollision(CapturedOutput output) throws Exception {
    try (ConfigurableApplicationContext context = start()) {
      assertThat(get(context, "/hello").body()).isEqualTo("hello");
    }
    assertThat(output.getAll()).doesNotContain("answers /readyz before");
  }

  @Test
  void healthChecksNeverExtendTheQuietPeriod() throws Exception {
    // Budget 18s: without the fix the checks below extend the delay to its cap, 9s.
    try (ConfigurableApplicationContext context = start("drain.grace-period=20s",
        "drain.propagation-delay=1s", "drain.quiet-period=1s")) {
      dev.drain.core.Drain drain = context.getBean(dev.drain.core.Drain.class);
      java.util.concurrent.CompletableFuture<Long> stopped =
          new java.util.concurrent.CompletableFuture<>();
      drain.addListener(event -> {
        if (event instanceof dev.drain.core.DrainEvent.StopAccepting) {
          stopped.complete(System.nanoTime());
        }
      });
      assertThat(get(context, "/actuator/health/readiness").statusCode()).isEqualTo(200);
      long start = System.nanoTime();
      drain.startDrain("test");
      // A kubelet probing readiness and a load balancer's checker on an application path,
      // every 100 ms, until the drain stops accepting or 4 s have passed.
      long end = start + Duration.ofSeconds(4).toNanos();
      int checks = 0;
      while (!stopped.isDone() && System.nanoTime() < end) {
        try {
          get(context, "/actuator/health/readiness");
          int port = ((WebServerApplicationContext) context).getWebServer().getPort();
          client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
              .header("User-Agent", "GoogleHC/1.0").timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding());
          checks++;
        } catch (java.io.IOException closed) {
          break; // the listener is closed: the drain stopped accepting
        }
        try {
          stopped.get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException stillServing) {
          // next round of checks
        }
      }
      assertThat(checks).as("health checks during the delay").isGreaterThan(3);
      Long at = stopped.get(1, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(at).as("stopped accepting").isNotNull();
      assertThat(Duration.ofNanos(at - start)).isBetween(Duration.ofMillis(900),
          Duration.ofMillis(2500));
      assertThat(drain.inflight()).isZero();
    }
  }

  @Test
  void theStatusPageIsServedWhenSwitchedOn() throws Exception {
    try (ConfigurableApplicationContext context = start("drain.probe.status-enabled=true")) {
      HttpResponse<String> status = get(context, "/drainz");
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(status.body()).startsWith("{\"state\":\"SERVING\",\"inflight\":0");
    }
  }
}

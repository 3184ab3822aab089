package dev.drain.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drain.core.BudgetFinding;
import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.ServerControl;
import dev.drain.core.ShutdownCoordinator;
import dev.drain.core.micrometer.DrainMetrics;
import dev.drain.netty.NettyDrain;
import dev.drain.servlet.DrainFilter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import reactor.netty.http.server.HttpServer;

/** Every condition of the starter's auto-configuration, on {@code ApplicationContextRunner}s. */
class DrainAutoConfigurationTest {

  private static final AutoConfigurations ALL = AutoConfigurations.of(
      DrainAutoConfiguration.class, DrainServletAutoConfiguration.class,
      DrainReactiveAutoConfiguration.class, DrainActuatorAutoConfiguration.class,
      DrainMetricsAutoConfiguration.class);

  private final ApplicationContextRunner plain =
      new ApplicationContextRunner().withConfiguration(ALL);
  private final WebApplicationContextRunner servlet =
      new WebApplicationContextRunner().withConfiguration(ALL);
  private final ReactiveWebApplicationContextRunner reactive =
      new ReactiveWebApplicationContextRunner().withConfiguration(ALL);

  @Nested
  class Core {

    @Test
    void theDrainItsBridgeCoordinatorAndLifecycleAreThere() {
      plain.run(context -> {
        assertThat(context).hasSingleBean(Drain.class).hasSingleBean(DrainAvailability.class)
            .hasSingleBean(ShutdownCoordinator.class).hasSingleBean(DrainLifecycle.class);
        assertThat(context.getBean(DrainLifecycle.class).getPhase())
            .isGreaterThan(org.springframework.boot.web.server.context
                .WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE);
        assertThat(context).doesNotHaveBean(FilterRegistrationBean.class)
            .doesNotHaveBean(NettyServerCustomizer.class);
      });
    }

    @Test
    void drainEnabledFalseTurnsEverythingOff() {
      servlet.withPropertyValues("drain.enabled=false",
          "management.endpoints.web.exposure.include=drain").run(context -> assertThat(context)
          .doesNotHaveBean(Drain.class).doesNotHaveBean(DrainLifecycle.class)
          .doesNotHaveBean(ShutdownCoordinator.class).doesNotHaveBean(FilterRegistrationBean.class)
          .doesNotHaveBean(TomcatConnectorCustomizer.class).doesNotHaveBean(DrainEndpoint.class)
          .doesNotHaveBean(DrainHealthIndicator.class).doesNotHaveBean(DrainMetrics.class));
      reactive.withPropertyValues("drain.enabled=false").run(context -> assertThat(context)
          .doesNotHaveBean(Drain.class).doesNotHaveBean(NettyServerCustomizer.class));
    }

    @Test
    void theApplicationsOwnBeansWin() {
      Drain own = Drain.builder().build();
      ServerControl control = new ServerControl() {};
      plain.withBean(Drain.class, () -> own).withBean(ServerControl.class, () -> control)
          .run(context -> {
            assertThat(context.getBean(Drain.class)).isSameAs(own);
            assertThat(context).hasSingleBean(ServerControl.class);
          });
      servlet.withBean(ServerControl.class, () -> control).run(context -> {
        assertThat(context).hasSingleBean(ServerControl.class);
        assertThat(context.getBean(ServerControl.class)).isSameAs(control);
      });
    }

    @Test
    void propertiesReachTheDrain() {
      plain.withPropertyValues("drain.grace-period=75s", "drain.max-upload-size=50MB",
          "drain.propagation-delay=5s", "drain.probe.readiness-path=/ready")
          .run(context -> {
            DrainConfig config = context.getBean(Drain.class).config();
            assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(75));
            assertThat(config.maxUploadSize()).hasValue(50L << 20);
            assertThat(config.propagationDelay()).isEqualTo(Duration.ofSeconds(5));
            assertThat(config.probes().readinessPath()).isEqualTo("/ready");
          });
    }

    @Test
    void anInvalidValueFailsTheStartWithItsName() {
      plain.withPropertyValues("drain.safety-margin=40s", "drain.grace-period=30s")
          .run(context -> assertThat(context).hasFailed().getFailure()
              .hasStackTraceContaining("drain.safety-margin"));
    }
  }

  /** The starter's binding and {@code DrainConfig.fromProperties} take the same keys and values. */
  @Nested
  class SameKeysAsTheCore {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "drain.grace-period|75s", "drain.grace-period|PT90S", "drain.grace-period|45000",
        "drain.grace-period|2m", "drain.safety-margin|1500ms", "drain.pre-stop-duration|5s", "drain.propagation-delay|0s",
        "drain.propagation-delay|5s", "drain.quiet-period|500ms", "drain.max-upload-size|50MB",
        "drain.max-upload-size|512KB", "drain.max-upload-size|1GB", "drain.max-upload-size|1000",
        "drain.min-client-rate|2MB", "drain.min-client-rate|100KB", "drain.stall-timeout|20s",
        "drain.upload-rate-window|5m", "drain.refuse-uploads-that-cannot-finish|false",
        "drain.retry-after|3s", "drain.upstream-idle-timeout|60s",
        "drain.server-idle-timeout|75s", "drain.endpoint.enabled|false",
        "drain.endpoint.token|0123456789abcdef", "drain.probe.readiness-path|/ready",
        "drain.probe.status-path|/status", "drain.probe.status-enabled|true"})
    void eachKeyAndValueGivesTheSameSettings(String key, String value) {
      // One default differs on purpose: under Spring the status page is off (the actuator's
      // drain endpoint serves it behind Spring Security).
      Map<String, String> properties = new java.util.HashMap<>(Map.of(key, value));
      properties.putIfAbsent("drain.probe.status-enabled", "false");
      DrainConfig core = DrainConfig.fromProperties(properties);
      plain.withPropertyValues(key + "=" + value).run(context ->
          assertThat(context.getBean(Drain.class).config()).hasToString(core.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "drain.grace-period|soon", "drain.grace-period|0s", "drain.safety-margin|-1s",
        "drain.max-upload-size|lots", "drain.min-client-rate|0B",
        "drain.refuse-uploads-that-cannot-finish|maybe", "drain.probe.status-path|status",
        "drain.endpoint.token|short"})
    void eachValueOneRejectsTheOtherRejectsToo(String key, String value) {
      assertThatThrownBy(() -> DrainConfig.fromProperties(Map.of(key, value)))
          .isInstanceOf(IllegalArgumentException.class);
      plain.withPropertyValues(key + "=" + value)
          .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void theGeneratedMetadataNamesExactlyTheCoresKeys() throws Exception {
      String json;
      try (InputStream in = DrainProperties.class.getResourceAsStream(
          "/META-INF/spring-configuration-metadata.json")) {
        assertThat(in).as("metadata in the starter jar").isNotNull();
        json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      Matcher names = Pattern.compile("\"name\"\\s*:\\s*\"(drain\\.[a-z.-]+)\"").matcher(json);
      TreeSet<String> keys = new TreeSet<>();
      while (names.find()) {
        keys.add(names.group(1));
      }
      keys.remove("drain.enabled");
      keys.removeIf(key -> !key.contains(".") || key.equals("drain.endpoint")
          || key.equals("drain.probe"));
      assertThat(keys).containsExactlyElementsOf(DrainConfig.propertyNames());
      assertThat(json).contains("\"name\": \"drain.grace-period\"")
          .contains("\"defaultValue\": \"30s\"")
          .contains("Time from SIGTERM to SIGKILL");
    }
  }

  @Nested
  class Servlet {

    @Test
    void theFilterIsFirstForRequestsWithAsyncSupport() {
      servlet.run(context -> {
        FilterRegistrationBean<?> registration =
            context.getBean("drainFilterRegistration", FilterRegistrationBean.class);
        assertThat(registration.getFilter()).isInstanceOf(DrainFilter.class);
        assertThat(registration.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE);
        assertThat(registration.isAsyncSupported()).isTrue();
        assertThat(registration.getUrlPatterns()).containsExactly("/*");
        assertThat(registration.determineDispatcherTypes())
            .containsExactly(DispatcherType.REQUEST);
        assertThat(context.getBean(ServerControl.class)).isInstanceOf(WebServerControl.class);
        assertThat(context).hasSingleBean(TomcatConnectorCustomizer.class);
        assertThat(context.getBeansOfType(WebServerControl.Glue.class)).hasSize(2);
      });
    }

    @Test
    void withoutTomcatThereIsNoConnectorCustomizer() {
      servlet.withClassLoader(new FilteredClassLoader(TomcatWebServer.class)).run(context -> {
        assertThat(context).doesNotHaveBean(TomcatConnectorCustomizer.class)
            .hasSingleBean(FilterRegistrationBean.class);
        assertThat(context.getBeansOfType(WebServerControl.Glue.class)).hasSize(1);
      });
    }

    @Test
    void withoutJettyThereIsNoJettyGlue() {
      servlet.withClassLoader(new FilteredClassLoader(JettyWebServer.class)).run(context ->
          assertThat(context.getBeansOfType(WebServerControl.Glue.class)).hasSize(1));
    }

    @Test
    void withoutTheServletAdapterNothingServletIsConfigured() {
      servlet.withClassLoader(new FilteredClassLoader(DrainFilter.class)).run(context ->
          assertThat(context).hasSingleBean(Drain.class)
              .doesNotHaveBean(FilterRegistrationBean.class).doesNotHaveBean(ServerControl.class));
    }
  }

  @Nested
  class Reactive {

    @Test
    void theNettyCustomizerAndGlueAreThere() {
      reactive.run(context -> {
        assertThat(context).hasSingleBean(NettyDrain.class)
            .hasSingleBean(NettyServerCustomizer.class)
            .doesNotHaveBean(FilterRegistrationBean.class);
        assertThat(context.getBean(ServerControl.class)).isInstanceOf(WebServerControl.class);
      });
    }

    @Test
    void withoutReactorNettyOrTheNettyAdapterThereIsNone() {
      for (Class<?> missing : List.of(HttpServer.class, NettyDrain.class)) {
        reactive.withClassLoader(new FilteredClassLoader(missing)).run(context ->
            assertThat(context).hasSingleBean(Drain.class)
                .doesNotHaveBean(NettyServerCustomizer.class).doesNotHaveBean(NettyDrain.class));
      }
    }
  }

  @Nested
  class ActuatorAndMetrics {

    @Test
    void theEndpointIsThereWhenExposedAndTheIndicatorAlways() {
      servlet.withPropertyValues("management.endpoints.web.exposure.include=drain")
          .run(context -> assertThat(context).hasSingleBean(DrainEndpoint.class)
              .hasSingleBean(DrainHealthIndicator.class).hasSingleBean(DrainMetrics.class));
      servlet.run(context -> assertThat(context).doesNotHaveBean(DrainEndpoint.class)
          .hasSingleBean(DrainHealthIndicator.class));
    }

    @Test
    void withoutActuatorThereIsNoEndpoint() {
      servlet.withPropertyValues("management.endpoints.web.exposure.include=drain")
          .withClassLoader(new FilteredClassLoader(Endpoint.class))
          .run(context -> assertThat(context).doesNotHaveBean(DrainEndpoint.class)
              .hasSingleBean(Drain.class));
    }

    @Test
    void withoutHealthThereIsNoIndicator() {
      servlet.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
          .run(context -> assertThat(context).doesNotHaveBean(DrainHealthIndicator.class));
    }

    @Test
    void withoutMicrometerThereAreNoMetrics() {
      servlet.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
          .run(context -> assertThat(context).doesNotHaveBean(DrainMetrics.class)
              .hasSingleBean(Drain.class));
    }

    @Test
    void theIndicatorIsOutOfServiceUntilReadyAndFromTheDrainsFirstInstant() {
      servlet.run(context -> {
        Drain drain = context.getBean(Drain.class);
        DrainHealthIndicator indicator = context.getBean(DrainHealthIndicator.class);
        assertThat(indicator.health().getStatus().getCode()).isEqualTo("OUT_OF_SERVICE");
        drain.markReady();
        assertThat(indicator.health().getStatus().getCode()).isEqualTo("UP");
        drain.startDrain("test");
        assertThat(indicator.health().getStatus().getCode()).isEqualTo("OUT_OF_SERVICE");
      });
    }
  }

  @Nested
  class PhaseTimeout {

    @Test
    void aPhaseTimeoutShorterThanTheDrainNamesTheSettingToChange() {
      DrainConfig config = DrainConfig.builder().gracePeriod(Duration.ofSeconds(60)).build();
      List<BudgetFinding> findings = SpringBudget.check(config, Duration.ofSeconds(30));
      assertThat(findings).singleElement().satisfies(finding -> {
        assertThat(finding.rule()).isEqualTo("spring-phase-timeout");
        assertThat(finding.message())
            .contains("(30s) is shorter than the drain and the server's stop, which may take 60s");
        assertThat(finding.setting())
            .startsWith("spring.lifecycle.timeout-per-shutdown-phase=60s");
      });
      assertThat(SpringBudget.check(config, Duration.ofSeconds(59))).hasSize(1);
      assertThat(SpringBudget.check(config, Duration.ofSeconds(60))).isEmpty();
    }
  }
}

package dev.drain.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The starter's defaults lie below the application's own settings. */
class DrainEnvironmentPostProcessorTest {

  private static StandardEnvironment environment(Map<String, Object> properties) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("application", properties));
    new DrainEnvironmentPostProcessor().postProcessEnvironment(environment,
        new SpringApplication());
    return environment;
  }

  private static Duration phaseTimeout(StandardEnvironment environment) {
    return Binder.get(environment).bind(SpringBudget.PHASE_TIMEOUT, Duration.class).get();
  }

  @Test
  void thePhaseTimeoutFollowsTheGracePeriodUnlessSet() {
    assertThat(phaseTimeout(environment(Map.of("drain.grace-period", "75s"))))
        .isEqualTo(Duration.ofSeconds(75));
    assertThat(phaseTimeout(environment(Map.of()))).isEqualTo(Duration.ofSeconds(30));
    assertThat(phaseTimeout(environment(Map.of("drain.grace-period", "75s",
        SpringBudget.PHASE_TIMEOUT, "20s")))).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void theReadinessGroupIsNotSetByAProperty() {
    // A property default would name members that may not exist (StartupSettingsTest).
    assertThat(environment(Map.of()).getProperty(
        "management.endpoint.health.group.readiness.include")).isNull();
  }

  @Test
  void springBootsGracefulShutdownGivesWayToTheDrainUnlessSet() {
    assertThat(environment(Map.of()).getProperty("server.shutdown")).isEqualTo("immediate");
    assertThat(environment(Map.of("server.shutdown", "graceful")).getProperty("server.shutdown"))
        .isEqualTo("graceful");
  }

  @Test
  void reactorNettysQuietPeriodIsZeroUnlessSet() {
    assertThat(environment(Map.of()).getProperty("spring.reactor.netty.shutdown-quiet-period"))
        .isEqualTo("0s");
    assertThat(environment(Map.of("spring.reactor.netty.shutdown-quiet-period", "1s"))
        .getProperty("spring.reactor.netty.shutdown-quiet-period")).isEqualTo("1s");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"false", "off", "0", "no", " FALSE "})
  void nothingIsAddedWhenTheDrainIsOff(String off) {
    StandardEnvironment environment = environment(Map.of("drain.enabled", off));
    assertThat(environment.getPropertySources().contains(DrainEnvironmentPostProcessor.SOURCE))
        .isFalse();
    assertThat(environment.getProperty(SpringBudget.PHASE_TIMEOUT)).isNull();
  }
}

package dev.drain.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Whole applications (every auto-configuration on the class path, the starter's environment
 * defaults from {@code spring.factories}) start with the settings a team ordinarily uses, and
 * the readiness group holds the drain only when the drain's indicator exists.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupSettingsTest {

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  private static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.main.banner-mode=off").properties(properties).run();
  }

  private static HealthEndpointGroup readiness(ConfigurableApplicationContext context) {
    return context.getBean(HealthEndpointGroups.class).get("readiness");
  }

  @Test
  void byDefaultTheReadinessGroupHoldsBootsStateAndTheDrain() {
    try (ConfigurableApplicationContext context = start()) {
      assertThat(readiness(context).isMember("readinessState")).isTrue();
      assertThat(readiness(context).isMember("drain")).isTrue();
    }
  }

  @Test
  void zeroConfigurationLogsNoWarning(CapturedOutput output) {
    try (ConfigurableApplicationContext context = start()) {
      assertThat(context.isActive()).isTrue();
    }
    assertThat(output.getAll().lines().filter(line -> line.contains("drain")
        && (line.contains("WARN") || line.contains("SEVERE")))).isEmpty();
    assertThat(output.getAll()).doesNotContain("drain.quiet-period");
  }

  @Test
  void withoutBootsProbesTheAppStarts() {
    try (ConfigurableApplicationContext context =
        start("management.endpoint.health.probes.enabled=false")) {
      assertThat(context.isActive()).isTrue();
      assertThat(readiness(context)).isNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "off", "0", "no", "FALSE"})
  void withTheDrainOffTheAppStartsWithBootsReadinessAlone(String off) {
    try (ConfigurableApplicationContext context = start("drain.enabled=" + off)) {
      assertThat(context.getBeanNamesForType(dev.drain.core.Drain.class)).isEmpty();
      assertThat(readiness(context).isMember("readinessState")).isTrue();
      assertThat(readiness(context).isMember("drain")).isFalse();
    }
  }

  @Test
  void withTheStartersConfigurationExcludedTheAppStarts() {
    try (ConfigurableApplicationContext context = start(
        "spring.autoconfigure.exclude=" + DrainAutoConfiguration.class.getName())) {
      assertThat(readiness(context).isMember("readinessState")).isTrue();
      assertThat(readiness(context).isMember("drain")).isFalse();
    }
  }

  @Test
  void theApplicationsOwnReadinessGroupIsLeftAsSet() {
    try (ConfigurableApplicationContext context =
        start("management.endpoint.health.group.readiness.include=ping")) {
      assertThat(readiness(context).isMember("ping")).isTrue();
      assertThat(readiness(context).isMember("drain")).isFalse();
    }
  }
}

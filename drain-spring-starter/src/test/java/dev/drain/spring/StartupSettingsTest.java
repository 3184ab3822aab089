package dev.drain.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
  void aMisspelledKeyFailsTheStartNamingIt(CapturedOutput output) {
    assertThatThrownBy(() -> start("drain.grace-perod=60s")).isNotNull();
    assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
        .contains("drain.grace-perod");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "drain.grace-period=-5s|Invalid value '-5s' for drain.grace-period|a duration above 0s",
      "drain.grace-period=400d|Invalid value '400d' for drain.grace-period|at most 365d",
      "drain.quiet-period=-1s|Invalid value '-1s' for drain.quiet-period|a duration of 0s or more",
      "drain.min-client-rate=0|Invalid value '0B' for drain.min-client-rate|a size per second",
      "drain.probe.readiness-path=ready|Invalid value 'ready' for drain.probe.readiness-path"
          + "|a path starting with /",
      "drain.safety-margin=40s|Invalid value '40s' for drain.safety-margin"
          + "|a duration shorter than that",
      "drain.endpoint.token=short|for drain.endpoint.token|at least 16 characters"})
  void aBadValueIsReportedByPropertyWithoutAStackTrace(String setting, String description,
      String action, CapturedOutput output) {
    assertThatThrownBy(() -> start(setting)).isNotNull();
    String all = output.getAll();
    assertThat(all).contains("APPLICATION FAILED TO START").contains(description)
        .contains("Set " + setting.substring(0, setting.indexOf('=')) + " to ").contains(action);
    assertThat(all.lines().filter(line -> line.startsWith("\tat "))).isEmpty();
    assertThat(all).doesNotContain("PT-5S").doesNotContain("gracePeriod");
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

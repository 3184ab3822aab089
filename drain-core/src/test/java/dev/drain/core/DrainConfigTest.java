package dev.drain.core;

import static dev.drain.core.DrainConfig.MEBIBYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DrainConfigTest {

  @Test
  void defaultsComeFromThePlatformFacts() {
    DrainConfig config = DrainConfig.builder().propagationDelay(Duration.ZERO).build();
    assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.safetyMargin()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.quietPeriod()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.minClientRate()).isEqualTo(MEBIBYTE);
    assertThat(config.maxUploadSize()).isEmpty();
    assertThat(config.refuseUploadsThatCannotFinish()).isTrue();
    assertThat(config.upstreamIdleTimeout()).isEmpty();
    assertThat(config.drainBudget()).isEqualTo(Duration.ofSeconds(28));
  }

  @Test
  void propagationDelayDefaultsToFiveSecondsOnKubernetesOnly() {
    assertThat(DrainConfig.Builder.defaultPropagationDelay(
        Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"))).isEqualTo(Duration.ofSeconds(5));
    assertThat(DrainConfig.Builder.defaultPropagationDelay(Map.of())).isZero();
  }

  @Test
  void fromCopiesAndLeavesTheOriginalAlone() {
    DrainConfig original = DrainConfig.builder().gracePeriod(Duration.ofSeconds(60)).build();
    DrainConfig changed = DrainConfig.from(original).gracePeriod(Duration.ofSeconds(90)).build();
    assertThat(original.gracePeriod()).isEqualTo(Duration.ofSeconds(60));
    assertThat(changed.gracePeriod()).isEqualTo(Duration.ofSeconds(90));
    assertThat(changed.safetyMargin()).isEqualTo(original.safetyMargin());
  }

  @Test
  void errorsNameTheBadValue() {
    assertThatThrownBy(() -> DrainConfig.builder().gracePeriod(Duration.ofSeconds(-1)))
        .hasMessage("gracePeriod must be positive, was PT-1S");
    assertThatThrownBy(() -> DrainConfig.builder().minClientRate(0))
        .hasMessage("minClientRate must be > 0 bytes per second, was 0");
    assertThatThrownBy(() -> DrainConfig.builder().maxUploadSize(-5))
        .hasMessageContaining("was -5");
    assertThatThrownBy(() -> DrainConfig.builder().gracePeriod(Duration.ofSeconds(2))
        .safetyMargin(Duration.ofSeconds(2)).build())
        .hasMessage("safetyMargin (PT2S) must be shorter than gracePeriod (PT2S)");
    assertThatThrownBy(() -> DrainConfig.builder().gracePeriod(Duration.ofSeconds(30))
        .preStopDuration(Duration.ofSeconds(28)).build())
        .hasMessage("safetyMargin (PT2S) and preStopDuration (PT28S) must together be shorter "
            + "than gracePeriod (PT30S)");
  }

  @Test
  void readsSpringStyleProperties() {
    DrainConfig config = DrainConfig.fromProperties(Map.of(
        "drain.grace-period", "45s",
        "drain.safety-margin", "500ms",
        "drain.propagation-delay", "PT2S",
        "drain.max-upload-size", "50MB",
        "drain.min-client-rate", "512KB",
        "drain.refuse-uploads-that-cannot-finish", "false",
        "drain.upstream-idle-timeout", "1m",
        "drain.enabled", "true",
        "server.port", "8080"));
    assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(45));
    assertThat(config.safetyMargin()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.propagationDelay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.maxUploadSize()).hasValue(50 * MEBIBYTE);
    assertThat(config.minClientRate()).isEqualTo(512 * 1024);
    assertThat(config.refuseUploadsThatCannotFinish()).isFalse();
    assertThat(config.upstreamIdleTimeout()).hasValue(Duration.ofMinutes(1));
  }

  @Test
  void durationsAboveAYearAreRejectedSoNoSumOverflows() {
    assertThatThrownBy(() -> DrainConfig.fromProperties(
        Map.of("drain.grace-period", "9223372036854775807")))
        .hasMessageContaining("drain.grace-period").hasMessageContaining("at most PT8760H");
    assertThatThrownBy(() -> DrainConfig.builder().propagationDelay(Duration.ofDays(366)))
        .hasMessage("propagationDelay must be at most PT8760H (365 days), was PT8784H");
    assertThat(DrainConfig.builder().gracePeriod(Duration.ofDays(365)).build().drainBudget())
        .isEqualTo(Duration.ofDays(365).minusSeconds(2));
  }

  @Test
  void probeAndEndpointKeysConfigureTheProbes() {
    DrainConfig config = DrainConfig.fromProperties(Map.of(
        "drain.endpoint.enabled", "true",
        "drain.endpoint.token", "s3cret-token-0123456789",
        "drain.probe.readiness-path", "/ready",
        "drain.probe.status-path", "/drain"));
    assertThat(config.probes().drainEndpointEnabled()).isTrue();
    assertThat(config.probes().drainEndpointToken()).hasValue("s3cret-token-0123456789");
    assertThat(config.probes().readinessPath()).isEqualTo("/ready");
    assertThat(config.probes().statusPath()).isEqualTo("/drain");
    assertThat(config.toString()).doesNotContain("s3cret").contains("drainEndpointToken=****");
    assertThat(DrainConfig.defaults().probes()).isEqualTo(ProbeConfig.defaults());
  }

  @Test
  void anEnabledEndpointWithoutATokenIsAnError() {
    assertThatThrownBy(() -> DrainConfig.fromProperties(Map.of("drain.endpoint.enabled", "true")))
        .hasMessageContaining("drain.endpoint.enabled=true needs drain.endpoint.token");
    assertThatThrownBy(() -> DrainConfig.fromProperties(Map.of("drain.endpoint.token", "short")))
        .hasMessageContaining("Invalid value '****' for drain.endpoint.token")
        .hasMessageContaining("at least 16 characters");
    assertThatThrownBy(() -> DrainConfig.fromProperties(Map.of("drain.endpoint.enable", "true")))
        .hasMessageContaining("Unknown property 'drain.endpoint.enable'");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "drain.grace-period  | 0.5s | Invalid value '0.5s' for drain.grace-period: not a duration",
    "drain.grace-period  | -1s  | Invalid value '-1s' for drain.grace-period: not a duration",
    "drain.min-client-rate | 1 MB/s | Invalid value '1 MB/s' for drain.min-client-rate: not a size",
    "drain.refuse-uploads-that-cannot-finish | yes | not a boolean",
    "drain.grace-periode | 30s | Unknown property 'drain.grace-periode'",
    "drain.max-upload-size | 99999999999TB | Invalid value '99999999999TB'",
  })
  void badPropertiesAreRejectedWithTheKeyAndValue(String key, String value, String message) {
    assertThatThrownBy(() -> DrainConfig.fromProperties(Map.of(key, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}

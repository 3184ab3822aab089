package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProbeEndpointTest {

  private static final String TOKEN = "0123456789abcdef-token";

  private static Drain drain(ProbeConfig probes) {
    Drain drain = Drain.builder().config(DrainConfig.builder().propagationDelay(Duration.ofSeconds(5))
        .probes(probes).build()).build();
    drain.markReady();
    return drain;
  }

  @Test
  void readinessAndStatusFollowTheDrain() {
    Drain drain = drain(ProbeConfig.defaults());
    ProbeEndpoint probes = new ProbeEndpoint(drain);
    assertThat(probes.answer("GET", "/readyz", null).status()).isEqualTo(200);
    assertThat(probes.answer("GET", "/readyz", null).body()).isEqualTo("ready\n");
    assertThat(probes.answer("GET", "/drainz", null).body()).startsWith("{\"state\":\"SERVING\"");
    assertThat(probes.answer("GET", "/hello", null)).isNull();
    assertThat(probes.isProbe("/hello")).isFalse();

    drain.startDrain("test");

    assertThat(probes.answer("HEAD", "/readyz", null).status()).isEqualTo(503);
    assertThat(probes.answer("GET", "/readyz", null).body()).isEqualTo("draining\n");
    assertThat(probes.answer("DELETE", "/readyz", null).headers()).containsEntry("Allow",
        "GET, HEAD");
  }

  @Test
  void postIsOffByDefault() {
    Drain drain = drain(ProbeConfig.defaults());
    ProbeEndpoint.Answer answer = new ProbeEndpoint(drain).answer("POST", "/drainz",
        "Bearer " + TOKEN);
    assertThat(answer.status()).isEqualTo(405);
    assertThat(answer.headers()).containsEntry("Allow", "GET, HEAD");
    assertThat(drain.isReady()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(nullValues = "null", value = {
    "null, 401",
    "Bearer wrong-token-0123456789, 401",
    "0123456789abcdef-token, 401",
    "Basic 0123456789abcdef-token, 401",
    "Bearer 0123456789abcdef-token, 202",
  })
  void postNeedsTheToken(String authorization, int status) {
    Drain drain = drain(ProbeConfig.defaults().withDrainEndpoint(TOKEN));
    ProbeEndpoint.Answer answer = new ProbeEndpoint(drain).answer("POST", "/drainz",
        authorization);
    assertThat(answer.status()).isEqualTo(status);
    assertThat(drain.isDraining()).isEqualTo(status == 202);
    if (status == 401) {
      assertThat(answer.headers()).containsEntry("WWW-Authenticate", "Bearer");
    } else {
      assertThat(answer.body()).startsWith("{\"state\":\"DRAINING\"");
    }
  }

  @Test
  void withTheStatusOffItsPathIsNoProbeAndShowsNothing() {
    Drain drain = drain(ProbeConfig.defaults().withStatusEnabled(false));
    drain.begin(new RequestInfo("PUT", "/secret/upload", 50L << 20));
    ProbeEndpoint probes = new ProbeEndpoint(drain);
    assertThat(probes.isProbe("/drainz")).isFalse();
    assertThat(probes.answer("GET", "/drainz", null)).isNull();
    assertThat(probes.answer("GET", "/readyz", null).body()).isEqualTo("ready\n");

    // The drain endpoint alone: POST answers, GET learns nothing.
    ProbeEndpoint postOnly = new ProbeEndpoint(drain(ProbeConfig.defaults()
        .withStatusEnabled(false).withDrainEndpoint(TOKEN)));
    assertThat(postOnly.isProbe("/drainz")).isTrue();
    ProbeEndpoint.Answer get = postOnly.answer("GET", "/drainz", null);
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.headers()).containsEntry("Allow", "POST");
    assertThat(get.body()).doesNotContain("inflight");
    assertThat(postOnly.answer("POST", "/drainz", null).body()).doesNotContain("inflight");
    assertThat(postOnly.answer("POST", "/drainz", "Bearer " + TOKEN).status()).isEqualTo(202);
  }

  @Test
  void theStatusIsOnByDefaultAndSetByItsProperty() {
    assertThat(ProbeConfig.defaults().statusEnabled()).isTrue();
    assertThat(DrainConfig.fromProperties(java.util.Map.of("drain.probe.status-enabled", "false"))
        .probes().statusEnabled()).isFalse();
    assertThat(ProbeConfig.defaults().withStatusEnabled(false).toString())
        .contains("statusEnabled=false");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(nullValues = "null", value = {
    "kube-probe/1.30, true", "GoogleHC/1.0, true", "ELB-HealthChecker/2.0, true",
    "Amazon-Route53-Health-Check-Service (ref 1), true", "Consul Health Check, true",
    "curl/8.5.0, false", "Mozilla/5.0 kube-probe/1.30, false", "null, false"})
  void healthCheckersAreKnownByTheirAgent(String userAgent, boolean checker) {
    assertThat(ProbeEndpoint.isHealthChecker(userAgent)).isEqualTo(checker);
  }

  @Test
  void otherPathsCanBeConfigured() {
    Drain drain = drain(ProbeConfig.defaults().withPaths("/health/ready", "/admin/drain"));
    ProbeEndpoint probes = new ProbeEndpoint(drain);
    assertThat(probes.answer("GET", "/readyz", null)).isNull();
    assertThat(probes.answer("GET", "/health/ready", null).status()).isEqualTo(200);
    assertThat(probes.answer("GET", "/admin/drain", null).contentType())
        .isEqualTo("application/json");
  }
}

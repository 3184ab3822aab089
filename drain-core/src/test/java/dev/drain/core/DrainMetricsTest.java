package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drain.core.micrometer.DrainMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DrainMetricsTest {

  private final ManualClock clock = new ManualClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void publishesStateInflightRefusedCutDurationAndRemainingBytes() {
    Drain drain = Drain.builder()
        .config(DrainConfig.builder().clock(clock).propagationDelay(Duration.ZERO)
            .gracePeriod(Duration.ofSeconds(10)).safetyMargin(Duration.ofSeconds(1)).build())
        .build();
    new DrainMetrics(drain, Tags.of("app", "test")).bindTo(registry);
    drain.markReady();

    Inflight get = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    Inflight upload = drain.begin(new RequestInfo("POST", "/upload", 1000));
    upload.onBytes(400);

    assertThat(registry.get("drain.state").gauge().value()).isEqualTo(1);
    assertThat(registry.get("drain.inflight").tag("kind", "request").gauge().value()).isEqualTo(1);
    assertThat(registry.get("drain.inflight").tag("kind", "upload").gauge().value()).isEqualTo(1);
    assertThat(registry.get("drain.upload.remaining.bytes").gauge().value()).isEqualTo(600);

    drain.startDrain("SIGTERM");
    clock.runDue();
    assertThat(registry.get("drain.state").tag("app", "test").gauge().value()).isEqualTo(2);
    assertThat(drain.admit(new RequestInfo("POST", "/upload", 1L << 40)).admitted()).isFalse();
    assertThat(registry.get("drain.refused").counter().count()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(9));
    assertThat(registry.get("drain.state").gauge().value()).isEqualTo(3);
    assertThat(registry.get("drain.cut").counter().count()).isEqualTo(2);
    assertThat(registry.get("drain.duration").timer().totalTime(TimeUnit.SECONDS)).isEqualTo(9);
    get.close();
    upload.close();
    assertThat(registry.get("drain.inflight").tag("kind", "request").gauge().value()).isZero();
  }
}

package dev.drain.spring;

import dev.drain.core.Drain;
import dev.drain.core.DrainState;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The drain's state as a health indicator ({@code drain}), part of the readiness group by the
 * starter's default: {@code UP} while serving, {@code OUT_OF_SERVICE} before the application is
 * ready and from the first instant of a drain, with the in-flight count as a detail.
 */
public final class DrainHealthIndicator implements HealthIndicator {

  private final Drain drain;

  /**
   * Creates the indicator.
   *
   * @param drain the drain; must not be null
   */
  public DrainHealthIndicator(Drain drain) {
    this.drain = Objects.requireNonNull(drain, "drain");
  }

  @Override
  public Health health() {
    DrainState state = drain.state();
    Health.Builder builder = state == DrainState.SERVING ? Health.up() : Health.outOfService();
    return builder.withDetail("state", state.name()).withDetail("inflight", drain.inflight())
        .build();
  }
}

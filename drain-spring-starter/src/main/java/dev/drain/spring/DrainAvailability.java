package dev.drain.spring;

import dev.drain.core.Drain;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainListener;
import dev.drain.core.DrainState;
import java.util.Objects;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;

/**
 * Bridges the drain and Spring Boot's application availability both ways: {@link
 * ReadinessState#ACCEPTING_TRAFFIC} (published once the application is ready) marks the drain
 * ready, and the drain's start publishes {@link ReadinessState#REFUSING_TRAFFIC} at once, on the
 * thread that starts it, so {@code /actuator/health/readiness} answers 503 from that instant
 * while the server still serves.
 */
public final class DrainAvailability
    implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>>, DrainListener {

  private final Drain drain;
  private final ApplicationEventPublisher publisher;

  /**
   * Creates the bridge and registers it with the drain.
   *
   * @param drain the drain; must not be null
   * @param publisher where readiness changes go; must not be null
   */
  public DrainAvailability(Drain drain, ApplicationEventPublisher publisher) {
    this.drain = Objects.requireNonNull(drain, "drain");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    drain.addListener(this);
  }

  @Override
  public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
    if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
      drain.markReady();
    }
  }

  @Override
  public void onEvent(DrainEvent event) {
    if (event instanceof DrainEvent.StateChanged changed && changed.to() == DrainState.DRAINING) {
      AvailabilityChangeEvent.publish(publisher, drain, ReadinessState.REFUSING_TRAFFIC);
    }
  }
}

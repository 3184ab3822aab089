package dev.drain.spring;

import dev.drain.core.Drain;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Actuator, when present: the {@code drain} endpoint and the {@code drain} health indicator,
 * which joins the readiness group of Spring Boot's probes unless the application sets {@code
 * management.endpoint.health.group.readiness.include} itself. The indicator joins only a group
 * that exists, so probes switched off, the drain switched off or this configuration excluded
 * never fail the start with a group member that is not there.
 */
@AutoConfiguration(after = DrainAutoConfiguration.class, afterName =
    "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(Drain.class)
public class DrainActuatorAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public DrainActuatorAutoConfiguration() {}

  /**
   * The {@code drain} endpoint, when exposed.
   *
   * @param drain the drain
   * @return the endpoint
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(DrainEndpoint.class)
  public DrainEndpoint drainEndpoint(Drain drain) {
    return new DrainEndpoint(drain);
  }

  /** The health indicator, when Spring Boot's health support is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class Health {

    @Bean
    @ConditionalOnMissingBean(name = "drainHealthIndicator")
    DrainHealthIndicator drainHealthIndicator(Drain drain) {
      return new DrainHealthIndicator(drain);
    }

    /*
     * Runs after Spring Boot's probes post-processor (same order, later registration, as this
     * configuration comes after theirs), so the readiness group it made is there to join.
     */
    @Bean
    @ConditionalOnMissingBean(name = "drainReadinessGroup")
    HealthEndpointGroupsPostProcessor drainReadinessGroup(Environment environment) {
      return new DrainReadinessGroup(environment);
    }
  }
}

package dev.drain.spring;

import dev.drain.core.Drain;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator, when present: the {@code drain} endpoint and the {@code drain} health indicator,
 * which the starter adds to the readiness group by default ({@code
 * management.endpoint.health.group.readiness.include=readinessState,drain} unless set).
 */
@AutoConfiguration(after = DrainAutoConfiguration.class)
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
  }
}

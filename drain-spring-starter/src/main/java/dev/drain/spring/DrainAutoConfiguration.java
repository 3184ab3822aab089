package dev.drain.spring;

import dev.drain.core.BudgetFinding;
import dev.drain.core.Drain;
import dev.drain.core.DrainBudget;
import dev.drain.core.ServerControl;
import dev.drain.core.ShutdownCoordinator;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The core of the starter: the {@link Drain} from the {@code drain.*} properties, its bridge to
 * Spring Boot's readiness, the {@link ShutdownCoordinator} and the {@link DrainLifecycle} that
 * runs it when the context closes. {@code drain.enabled=false} turns all of it off.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "drain.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DrainProperties.class)
public class DrainAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public DrainAutoConfiguration() {}

  /**
   * The drain, from the {@code drain.*} properties; its budget check is logged at startup, with
   * the Spring phase-timeout rule beside the core's.
   *
   * @param properties the bound properties
   * @param environment for {@code spring.lifecycle.timeout-per-shutdown-phase}
   * @return the drain
   */
  @Bean
  @ConditionalOnMissingBean
  public Drain drain(DrainProperties properties, Environment environment) {
    Drain drain = Drain.builder().config(properties.toConfig()).build();
    Duration phaseTimeout = Binder.get(environment)
        .bind(SpringBudget.PHASE_TIMEOUT, Duration.class).orElse(Duration.ofSeconds(30));
    List<BudgetFinding> findings = SpringBudget.check(drain.config(), phaseTimeout);
    DrainBudget.log(findings);
    return drain;
  }

  /**
   * The bridge between the drain and Spring Boot's readiness state.
   *
   * @param drain the drain
   * @param publisher the context
   * @return the bridge
   */
  @Bean
  @ConditionalOnMissingBean
  public DrainAvailability drainAvailability(Drain drain, ApplicationEventPublisher publisher) {
    return new DrainAvailability(drain, publisher);
  }

  /**
   * The coordinator, driving the web server the context runs through the glue of its kind.
   *
   * @param drain the drain
   * @param control the server's control: the application's own, or the starter's {@link
   *     WebServerControl}; without either the drain runs and Spring Boot stops the server
   * @return the coordinator
   */
  @Bean
  @ConditionalOnMissingBean
  public ShutdownCoordinator drainShutdownCoordinator(Drain drain,
      ObjectProvider<ServerControl> control) {
    // No server known: ServerControl's defaults do nothing, and Spring Boot's own shutdown
    // stops the server after the drain.
    return ShutdownCoordinator.create(drain,
        control.getIfAvailable(() -> new ServerControl() {}));
  }

  /**
   * The lifecycle that runs the drain before the web server's graceful shutdown.
   *
   * @param drain the drain
   * @param coordinator the coordinator
   * @return the lifecycle
   */
  @Bean
  @ConditionalOnMissingBean
  public DrainLifecycle drainLifecycle(Drain drain, ShutdownCoordinator coordinator) {
    return new DrainLifecycle(drain, coordinator);
  }
}

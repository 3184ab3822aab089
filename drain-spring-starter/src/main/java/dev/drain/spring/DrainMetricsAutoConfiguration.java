package dev.drain.spring;

import dev.drain.core.Drain;
import dev.drain.core.micrometer.DrainMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer, when present: {@link DrainMetrics} as a {@code MeterBinder} bean, which Spring Boot
 * binds to every {@link MeterRegistry} ({@code drain.state}, {@code drain.inflight}, {@code
 * drain.refused}, {@code drain.cut}, {@code drain.duration}, {@code
 * drain.upload.remaining.bytes}).
 */
@AutoConfiguration(after = DrainAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(Drain.class)
public class DrainMetricsAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public DrainMetricsAutoConfiguration() {}

  /**
   * The binder.
   *
   * @param drain the drain
   * @return the binder
   */
  @Bean
  @ConditionalOnMissingBean
  public DrainMetrics drainMetrics(Drain drain) {
    return new DrainMetrics(drain);
  }
}

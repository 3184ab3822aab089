package dev.drain.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Adds the starter's defaults below every other property source, so any setting of the
 * application's wins: {@code spring.lifecycle.timeout-per-shutdown-phase} follows {@code
 * drain.grace-period} (Spring Boot's fixed 30 s would stop the server under a long upload the
 * drain still waits for), and Reactor Netty's event loops shut down without their 2 s quiet period (the drain has already
 * closed every connection; the quiet period would only eat into the safety margin), and Spring's
 * task executor keeps taking tasks while the drain still serves.
 * Nothing is added when {@code drain.enabled=false}.
 */
public class DrainEnvironmentPostProcessor implements EnvironmentPostProcessor {

  /** The name of the property source added. */
  public static final String SOURCE = "graceful-drain-defaults";

  /** Creates the post-processor; Spring Boot calls it. */
  public DrainEnvironmentPostProcessor() {}

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment,
      SpringApplication application) {
    if (!enabled(environment)) {
      return;
    }
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put(SpringBudget.PHASE_TIMEOUT, "${drain.grace-period:30s}");
    defaults.put("spring.reactor.netty.shutdown-quiet-period", "0s");
    // The drain replaces Spring Boot's graceful shutdown: after it, Boot's own would only wait
    // again, up to the phase timeout, for a request the drain already cut at its deadline.
    defaults.put("server.shutdown", "immediate");
    // Spring's task executor stops taking tasks at the context's close event; the drain serves
    // on through the propagation delay, and an MVC Callable or @Async request needs it.
    defaults.put("spring.task.execution.pool.shutdown.accept-tasks-after-context-close", "true");
    environment.getPropertySources().addLast(new MapPropertySource(SOURCE, defaults));
  }

  /** {@code drain.enabled} as Spring converts it: {@code off}, {@code no} and {@code 0} too. */
  private static boolean enabled(ConfigurableEnvironment environment) {
    try {
      return environment.getProperty("drain.enabled", Boolean.class, true);
    } catch (RuntimeException notABoolean) {
      return true; // the binding of drain.enabled then fails the start, naming the value
    }
  }
}

package dev.drain.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drain.core.BudgetFinding;
import dev.drain.core.DrainBudget;
import dev.drain.core.DrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The README's Kubernetes Deployment holds against the budget check: its environment binds
 * through Spring's own environment-variable rules, its grace period is what the check asks for,
 * and the readiness probe is the actuator's.
 */
class ReadmeKubernetesExampleTest {

  private static String example() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int marker = readme.indexOf("<!-- k8s-example");
    assertThat(marker).as("the example's marker in README.md").isPositive();
    int start = readme.indexOf("```yaml", marker) + "```yaml".length();
    return readme.substring(start, readme.indexOf("```", start));
  }

  private static DrainConfig bind(Map<String, Object> env) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
        // Spring Boot applies its environment-variable rules to sources named like this one.
        "readme-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
    ConfigurationPropertySources.attach(environment);
    return Binder.get(environment).bind("drain", DrainProperties.class).get().toConfig();
  }

  @Test
  void theDeploymentMatchesTheBudgetCheck() throws Exception {
    String yaml = example();
    Map<String, Object> env = new LinkedHashMap<>();
    Matcher entry = Pattern.compile("\\{name: (DRAIN_[A-Z]+), value: \"([^\"]+)\"}").matcher(yaml);
    while (entry.find()) {
      env.put(entry.group(1), entry.group(2));
    }
    assertThat(env).containsKeys("DRAIN_GRACEPERIOD", "DRAIN_MAXUPLOADSIZE");
    Matcher grace = Pattern.compile("terminationGracePeriodSeconds: (\\d+)").matcher(yaml);
    assertThat(grace.find()).isTrue();
    long graceSeconds = Long.parseLong(grace.group(1));

    DrainConfig config = bind(env);
    assertThat(config.maxUploadSize()).hasValue(50L << 20);
    assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(graceSeconds));
    assertThat(DrainBudget.check(config)).as("findings for the README's settings").isEmpty();

    // With one second less the check asks for exactly the README's number.
    Map<String, Object> shorter = new LinkedHashMap<>(env);
    shorter.put("DRAIN_GRACEPERIOD", (graceSeconds - 1) + "s");
    List<BudgetFinding> findings = DrainBudget.check(bind(shorter));
    assertThat(findings).extracting(BudgetFinding::setting)
        .containsExactly("terminationGracePeriodSeconds >= " + graceSeconds
            + " and drain.grace-period=" + graceSeconds + "s");

    assertThat(yaml).contains("path: /actuator/health/readiness").doesNotContain("preStop");
  }

  @Test
  void aKeptPreStopIsSubtractedAsTheReadmeSays() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher said = Pattern.compile("`DRAIN_PRESTOPDURATION=(\\d+)s`.*?"
        + "`terminationGracePeriodSeconds: (\\d+)`", Pattern.DOTALL).matcher(readme);
    assertThat(said.find()).isTrue();
    Map<String, Object> env = new LinkedHashMap<>();
    Matcher entry = Pattern.compile("\\{name: (DRAIN_[A-Z]+), value: \"([^\"]+)\"}")
        .matcher(example());
    while (entry.find()) {
      env.put(entry.group(1), entry.group(2));
    }
    env.put("DRAIN_PRESTOPDURATION", said.group(1) + "s");
    assertThat(DrainBudget.check(bind(env))).extracting(BudgetFinding::setting)
        .containsExactly("terminationGracePeriodSeconds >= " + said.group(2)
            + " and drain.grace-period=" + said.group(2) + "s");
  }
}

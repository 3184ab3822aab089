package dev.drain.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drain.core.Drain;
import dev.drain.core.DrainState;
import dev.drain.core.Inflight;
import dev.drain.core.RequestInfo;
import dev.drain.core.ServerControl;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The drain's delay and waits belong to the shutdown of a ready, serving instance: not to a
 * test's mock web environment, a context without a server, or an instance never ready. The
 * settings are what a CI runner inside Kubernetes gets (a 5s delay) and a request that never
 * ends, as a MockMvc async request checked without {@code asyncDispatch}.
 */
class ContextCloseTest {

  private static final AutoConfigurations STARTER = AutoConfigurations.of(
      DrainAutoConfiguration.class, DrainServletAutoConfiguration.class,
      DrainActuatorAutoConfiguration.class);
  private static final String[] KUBERNETES_CI = {"drain.propagation-delay=5s",
      "drain.grace-period=30s"};

  private static Duration closeWithARequestThatNeverEnds(ConfigurableApplicationContext context,
      boolean ready) {
    Drain drain = context.getBean(Drain.class);
    if (ready) {
      drain.markReady();
    }
    Inflight never = drain.begin(new RequestInfo("GET", "/async", 0));
    long start = System.nanoTime();
    context.close();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    never.close();
    assertThat(drain.inflight()).isZero();
    return took;
  }

  @Test
  void aMockWebEnvironmentClosesAtOnce() {
    new WebApplicationContextRunner().withConfiguration(STARTER)
        .withPropertyValues(KUBERNETES_CI).run(context -> {
          Drain drain = context.getBean(Drain.class);
          assertThat(closeWithARequestThatNeverEnds(context.getSourceApplicationContext(), true))
              .isLessThan(Duration.ofMillis(500));
          assertThat(drain.state()).isEqualTo(DrainState.SERVING);
        });
  }

  @Test
  void aContextWithoutAServerClosesAtOnce() {
    new ApplicationContextRunner().withConfiguration(STARTER)
        .withPropertyValues(KUBERNETES_CI).run(context ->
            assertThat(closeWithARequestThatNeverEnds(context.getSourceApplicationContext(),
                true)).isLessThan(Duration.ofMillis(500)));
  }

  @Test
  void anInstanceNeverReadyClosesAtOnceEvenWithAServer() {
    new ApplicationContextRunner().withConfiguration(STARTER)
        .withBean(ServerControl.class, () -> new ServerControl() {})
        .withPropertyValues(KUBERNETES_CI).run(context ->
            assertThat(closeWithARequestThatNeverEnds(context.getSourceApplicationContext(),
                false)).isLessThan(Duration.ofMillis(500)));
  }

  @Test
  void aReadyInstanceWithAServerStillDrains() {
    new ApplicationContextRunner().withConfiguration(STARTER)
        .withBean(ServerControl.class, () -> new ServerControl() {})
        .withPropertyValues("drain.propagation-delay=1s", "drain.quiet-period=0s",
            "drain.grace-period=10s").run(context -> {
              Drain drain = context.getBean(Drain.class);
              drain.markReady();
              long start = System.nanoTime();
              context.getSourceApplicationContext().close();
              assertThat(Duration.ofNanos(System.nanoTime() - start))
                  .isGreaterThanOrEqualTo(Duration.ofMillis(950));
              assertThat(drain.state()).isEqualTo(DrainState.DRAINED);
            });
  }
}

package dev.drain.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drain.core.DrainBudget;
import dev.drain.core.DrainConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The planner's figures for a few inputs, and the limits it reports. */
class RolloutPlanTest {

  private static final long MB = DrainConfig.MEBIBYTE;

  @Test
  void fiftyMegabytesAtOneMegabytePerSecondOnGke() {
    RolloutPlan plan = RolloutPlan.of(PlanInput.withDefaults(50 * MB, MB, Platform.GKE));

    assertThat(plan.uploadTime()).hasSeconds(50);
    assertThat(plan.applicationGracePeriod()).as("10 s delay + 50 s upload + 5 s margin")
        .hasSeconds(65);
    assertThat(plan.loadBalancerTimeout()).hasSeconds(60);
    assertThat(plan.connectionDraining()).hasSeconds(55);
    assertThat(plan.minReady()).hasSeconds(15);
    assertThat(plan.nginxHttpStopWait()).hasSeconds(55);
    assertThat(plan.nginxStreamStopWait()).hasSeconds(15);
    assertThat(plan.kongQuitWait()).as("10 s delay + A's 10 s pool lifetime + 5 s")
        .hasSeconds(25);
    assertThat(plan.kongQuitTimeout()).hasSeconds(55);
    assertThat(plan.kongGracePeriod()).hasSeconds(85);
    assertThat(plan.internalConnectionDraining()).as("the upload outlasts A's pool")
        .hasSeconds(55);
    assertThat(plan.clientMaxBodySizeMebibytes()).isEqualTo(50);
    assertThat(plan.application().serverIdleTimeout()).contains(Duration.ofSeconds(80));
    assertThat(plan.applicationFindings()).as("the budget check accepts the plan").isEmpty();
  }

  @Test
  void theApplicationGracePeriodIsTheBudgetChecksOwnComputation() {
    RolloutPlan plan = RolloutPlan.of(new PlanInput(50 * MB, 3 * MB, Platform.GKE,
        Duration.ofSeconds(7), Duration.ofSeconds(2), Duration.ofSeconds(5)));

    assertThat(plan.uploadTime()).as("16.7 s, rounded up").hasSeconds(17);
    assertThat(plan.applicationGracePeriod())
        .isEqualTo(DrainBudget.requiredGracePeriod(plan.application()))
        .as("preStop 5 + delay 7 + upload 16.7 + margin 2, rounded up").hasSeconds(31);
    DrainConfig oneSecondShort = DrainConfig.builder()
        .gracePeriod(plan.applicationGracePeriod().minusSeconds(1))
        .propagationDelay(Duration.ofSeconds(7)).safetyMargin(Duration.ofSeconds(2))
        .preStopDuration(Duration.ofSeconds(5)).maxUploadSize(50 * MB).minClientRate(3 * MB)
        .build();
    assertThat(DrainBudget.check(oneSecondShort)).extracting(f -> f.rule())
        .contains("grace-period");
  }

  @Test
  void onAMigTheDrainMustFitTheVmShutdownBudget() {
    RolloutPlan fits = RolloutPlan.of(PlanInput.withDefaults(50 * MB, MB, Platform.MIG));
    assertThat(fits.applicationGracePeriod()).as("15 s delay + 50 s + 5 s").hasSeconds(70);

    assertThatThrownBy(() -> RolloutPlan.of(PlanInput.withDefaults(100 * MB, MB, Platform.MIG)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MIG VM")
        .hasMessageContaining("about 90 s")
        .hasMessageContaining("needs 120 s");
    assertThat(RolloutPlan.of(PlanInput.withDefaults(100 * MB, MB, Platform.GKE))
        .applicationGracePeriod()).as("GKE has no such cap").hasSeconds(115);
  }

  @Test
  void anUploadLongerThanGcpConnectionDrainingCannotBePlannedFor() {
    assertThatThrownBy(() -> RolloutPlan.of(PlanInput.withDefaults(4096 * MB, MB, Platform.GKE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("takes 4096 s")
        .hasMessageContaining("caps connection draining (drainingTimeoutSec) at 3600 s");
  }

  @Test
  void theNginxStopWaitStaysWithinTheVmShutdownBudget() {
    RolloutPlan plan = RolloutPlan.of(PlanInput.withDefaults(200 * MB, MB, Platform.GKE));
    assertThat(plan.connectionDraining()).hasSeconds(205);
    assertThat(plan.nginxHttpStopWait()).as("90 s budget less 10 s for the rest").hasSeconds(80);
  }

  @Test
  void theInternalLoadBalancerOutlastsAsPooledConnectionsEvenForShortUploads() {
    RolloutPlan plan = RolloutPlan.of(PlanInput.withDefaults(2 * MB, MB, Platform.GKE));
    assertThat(plan.connectionDraining()).as("2 s upload + 5 s").hasSeconds(7);
    assertThat(plan.internalConnectionDraining()).as("A's 10 s pool lifetime + 5 s")
        .hasSeconds(15);
  }

  @Test
  void wrongInputNamesTheOption() {
    assertThatThrownBy(() -> new PlanInput(0, MB, Platform.GKE, Duration.ZERO, Duration.ZERO,
        Duration.ZERO)).hasMessageContaining("--max-upload");
    assertThatThrownBy(() -> new PlanInput(MB, 0, Platform.GKE, Duration.ZERO, Duration.ZERO,
        Duration.ZERO)).hasMessageContaining("--min-client-rate");
    assertThatThrownBy(() -> new PlanInput(MB, MB, Platform.GKE, Duration.ofSeconds(-1),
        Duration.ZERO, Duration.ZERO)).hasMessageContaining("--propagation-delay");
  }
}

package dev.drain.plan;

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
    assertThat(plan.lanTransferTime()).as("50 MiB at 100 MiB/s, rounded up").hasSeconds(1);
    assertThat(plan.requestTime()).as("50 + 2 x 1 + 5 processing + 5 margin").hasSeconds(62);
    assertThat(plan.applicationGracePeriod())
        .as("10 s delay + 50 s upload + 5 s margin + 5 s processing").hasSeconds(70);
    assertThat(plan.loadBalancerTimeout()).hasSeconds(62);
    assertThat(plan.connectionDraining()).as("not below timeoutSec").hasSeconds(62);
    assertThat(plan.internalConnectionDraining()).hasSeconds(62);
    assertThat(plan.minReady()).hasSeconds(15);
    assertThat(plan.nginxHttpStopWait()).as("the LB's draining ended before: the margin")
        .hasSeconds(5);
    assertThat(plan.nginxStreamStopWait()).hasSeconds(5);
    assertThat(plan.kongQuitWait())
        .as("6 s health check + keepalive_time 10 s + keepalive_timeout 10 s + 5 s")
        .hasSeconds(31);
    assertThat(plan.kongQuitTimeout()).as("A buffers: 2 x 1 s LAN + 5 s D + 5 s").hasSeconds(12);
    assertThat(plan.kongGracePeriod()).hasSeconds(48);
    assertThat(plan.clientMaxBodySizeMebibytes()).as("the file + 1 MiB of framing")
        .isEqualTo(51);
    assertThat(plan.application().serverIdleTimeout()).contains(Duration.ofSeconds(80));
    assertThat(plan.applicationFindings()).as("the budget check accepts the plan").isEmpty();
    assertThat(plan.spotOverruns()).isEmpty();
  }

  @Test
  void aSmallUploadKeepsGcpsDefaultTimeoutAndSaysSo() {
    RolloutPlan plan = RolloutPlan.of(PlanInput.withDefaults(MB, MB, Platform.GKE));
    assertThat(plan.requestTime()).as("1 + 2 x 1 + 5 + 5").hasSeconds(13);
    assertThat(plan.loadBalancerTimeout()).as("never below GCP's default").hasSeconds(30);
    assertThat(plan.connectionDraining()).hasSeconds(30);
    assertThat(plan.toMarkdown())
        .contains("| backend service `timeoutSec` | 30 |")
        .contains("= 13 s; GCP's default 30 s holds it: keep the default")
        .doesNotContain("cuts the upload").doesNotContain("would cut");
  }

  @Test
  void theApplicationGracePeriodIsTheBudgetChecksOwnComputation() {
    RolloutPlan plan = RolloutPlan.of(new PlanInput(50 * MB, 3 * MB, Platform.GKE,
        Duration.ofSeconds(7), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ZERO));

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
    assertThat(fits.applicationGracePeriod()).as("15 s delay + 50 s + 5 s + 5 s processing")
        .hasSeconds(75);
    assertThat(fits.spotOverruns()).extracting(RolloutPlan.VmStop::tier)
        .as("75 s is more than a Spot VM's 30 s less the reserve").containsExactly("D");
    assertThat(fits.toMarkdown()).contains("**Spot or preemptible VMs:**")
        .contains("D needs 75 s").contains("scheduling.gracefulShutdown.maxDuration");

    assertThatThrownBy(() -> RolloutPlan.of(PlanInput.withDefaults(100 * MB, MB, Platform.MIG)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("D stops inside its VM's shutdown")
        .hasMessageContaining("about 90 s")
        .hasMessageContaining("80 s at most")
        .hasMessageContaining("needs 125 s");
    assertThat(RolloutPlan.of(PlanInput.withDefaults(100 * MB, MB, Platform.GKE))
        .applicationGracePeriod()).as("GKE has no such cap").hasSeconds(120);
  }

  @Test
  void theNginxStopsFollowTheSameVmRule() {
    assertThatThrownBy(() -> RolloutPlan.of(new PlanInput(MB, MB, Platform.GKE,
        Duration.ofSeconds(10), Duration.ofSeconds(40), Duration.ZERO, Duration.ZERO)))
        .as("QUIT wait 40 + TERM 5 + 40 = 85 > 80")
        .hasMessageContaining("nginx A stops inside its VM's shutdown")
        .hasMessageContaining("needs 85 s");
  }

  @Test
  void kongRunsOnGkeWhateverDRunsOn() {
    RolloutPlan gke = RolloutPlan.of(PlanInput.withDefaults(50 * MB, MB, Platform.GKE));
    RolloutPlan mig = RolloutPlan.of(PlanInput.withDefaults(50 * MB, MB, Platform.MIG));
    assertThat(mig.input().propagationDelay()).as("D's delay on a MIG").hasSeconds(15);
    assertThat(mig.kongQuitWait()).isEqualTo(gke.kongQuitWait()).hasSeconds(31);
    assertThat(mig.kongGracePeriod()).isEqualTo(gke.kongGracePeriod());
  }

  @Test
  void anUploadLongerThanGcpConnectionDrainingCannotBePlannedFor() {
    assertThatThrownBy(() -> RolloutPlan.of(PlanInput.withDefaults(4096 * MB, MB, Platform.GKE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lasts 4188 s (upload 4096 s, A to Kong and Kong to D 41 s each")
        .hasMessageContaining("caps connection draining (drainingTimeoutSec) at 3600 s");
  }

  @Test
  void withAPreStopSigtermComesAtItsEnd() {
    RolloutPlan plan = RolloutPlan.of(new PlanInput(50 * MB, MB, Platform.GKE,
        Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(15),
        Duration.ofSeconds(5)));
    assertThat(plan.shutdownTimeline()).extracting(RolloutPlan.GanttTask::id,
        RolloutPlan.GanttTask::start, RolloutPlan.GanttTask::end).containsExactly(
        org.assertj.core.groups.Tuple.tuple("m0", 0L, 0L),
        org.assertj.core.groups.Tuple.tuple("p0", 0L, 15L),
        org.assertj.core.groups.Tuple.tuple("m2", 15L, 15L),
        org.assertj.core.groups.Tuple.tuple("g0", 0L, 85L),
        org.assertj.core.groups.Tuple.tuple("m1", 85L, 85L),
        org.assertj.core.groups.Tuple.tuple("d1", 15L, 25L),
        org.assertj.core.groups.Tuple.tuple("d2", 25L, 75L),
        org.assertj.core.groups.Tuple.tuple("d4", 75L, 80L),
        org.assertj.core.groups.Tuple.tuple("d3", 80L, 85L));
  }

  @Test
  void theKongLoadBalancerIsL4WithoutBackendConfig() { // SRE error 1
    String md = RolloutPlan.of(PlanInput.withDefaults(50 * MB, MB, Platform.GKE)).toMarkdown();
    assertThat(md).doesNotContain("BackendConfig `connectionDraining")
        .contains("there is no BackendConfig (an Ingress feature, L7)");
  }

  @Test
  void kongsPropagationIsTheNodeHealthCheckNotDsDelay() { // SRE error 2
    RolloutPlan slow = RolloutPlan.of(new PlanInput(50 * MB, MB, Platform.GKE,
        Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(5)));
    RolloutPlan fast = RolloutPlan.of(new PlanInput(50 * MB, MB, Platform.GKE,
        Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(5)));
    assertThat(fast.kongPropagationDelay()).as("3 s x 2 (Local)").hasSeconds(6)
        .isEqualTo(slow.kongPropagationDelay());
    assertThat(fast.kongQuitWait()).isEqualTo(slow.kongQuitWait());
    assertThat(fast.toMarkdown()).contains("wait: the Kong LB's node health check 6 s");
  }

  @Test
  void apooledConnectionLivesKeepaliveTimePlusKeepaliveTimeout() { // SRE error 3
    RolloutPlan plan = RolloutPlan.of(PlanInput.withDefaults(MB, 10 * MB, Platform.GKE));
    assertThat(RolloutPlan.aPooledConnectionLife()).hasSeconds(20);
    assertThat(plan.kongQuitWait()).as("6 + 10 + 10 + 5").hasSeconds(31);
    RolloutPlan bigMargin = RolloutPlan.of(new PlanInput(MB, 10 * MB, Platform.GKE,
        Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ZERO, Duration.ZERO));
    assertThat(bigMargin.internalConnectionDraining()).as("10 + 10 + 20 > timeoutSec 33")
        .hasSeconds(40);
    assertThat(plan.toMarkdown()).doesNotContain("so do busy ones")
        .contains("checked when a request ends");
  }

  @Test
  void aLongAnswerRaisesTheReadTimeoutsAndDsGrace() { // SRE error 10a/10b
    RolloutPlan plan = RolloutPlan.of(new PlanInput(50 * MB, MB, Platform.GKE,
        Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(120)));
    assertThat(plan.nginxProxyReadTimeout()).as("2 x 1 s LAN + 120 s + 5 s").isEqualTo(127);
    assertThat(plan.kongReadTimeoutMillis()).as("120 s + 5 s").isEqualTo(125_000);
    assertThat(plan.applicationGracePeriod()).as("10 + 50 + 5 + 120").hasSeconds(185);
    assertThat(plan.toMarkdown()).contains("proxy_read_timeout 127s;")
        .contains("| Service `read_timeout` | 125000 ms (`konghq.com/read-timeout`) |")
        .contains("terminationGracePeriodSeconds: 185`")
        .contains("processing, answer :d4, 60000, 180000");
    RolloutPlan quick = RolloutPlan.of(PlanInput.withDefaults(50 * MB, MB, Platform.GKE));
    assertThat(quick.nginxProxyReadTimeout()).as("nginx's default holds 5 s").isEqualTo(60);
    assertThat(quick.kongReadTimeoutMillis()).isEqualTo(60_000);
  }

  @Test
  void aSmallUploadsInternalDrainingSaysWhereItsFigureComesFrom() { // SRE error 10c
    String md = RolloutPlan.of(PlanInput.withDefaults(MB, MB, Platform.GKE)).toMarkdown();
    assertThat(md).contains("the larger of the front LB's `timeoutSec` (30 s; the request lasts"
        + " 13 s, GCP's default is the floor)").doesNotContain("request (30 s, as above)");
  }

  @Test
  void multipartLimitsNeverGoBelowSpringsDefaultsAndLeaveFramingRoom() { // SRE errors 10c, 11
    String small = RolloutPlan.of(PlanInput.withDefaults(MB, MB, Platform.GKE)).toMarkdown();
    assertThat(small).contains("max-file-size` (1MB by default) to 1MB")
        .contains("`max-request-size` (10MB by default) to 10MB (the file + 1MB for the multipart"
            + " framing, at least the default)")
        .contains("client_max_body_size 2m;");
    RolloutPlan big = RolloutPlan.of(new PlanInput(50 * MB, 100 * MB, Platform.GKE,
        Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(5)));
    assertThat(big.multipartMaxRequestBytes()).isEqualTo(51 * MB);
    assertThat(big.toMarkdown()).contains("`max-request-size` (10MB by default) to 51MB");
  }

  @Test
  void thePreStopPathWithoutTheLibraryIsPreStopPlusTheRequest() { // SRE error 10d
    RolloutPlan plan = RolloutPlan.of(new PlanInput(50 * MB, MB, Platform.GKE,
        Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(5)));
    assertThat(plan.graceWithoutLibrary()).as("10 + 50 + 5 + 5").hasSeconds(70);
    assertThat(plan.applicationGracePeriod()).as("10 + 10 + 50 + 5 + 5").hasSeconds(80);
    assertThat(plan.toMarkdown()).contains("Without the library (any runtime)")
        .contains("`terminationGracePeriodSeconds: 70` (preStop 10 s");
    RolloutPlan tooShort = RolloutPlan.of(new PlanInput(50 * MB, MB, Platform.GKE,
        Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(5),
        Duration.ofSeconds(5)));
    assertThat(tooShort.toMarkdown()).contains("5 s is too short: raise --pre-stop");
  }

  @Test
  void gkeSpotNodePoolsAreWarnedAbout() { // SRE error 7
    RolloutPlan gke = RolloutPlan.of(PlanInput.withDefaults(50 * MB, MB, Platform.GKE));
    assertThat(gke.gkeSpotOverruns()).extracting(RolloutPlan.VmStop::tier, RolloutPlan.VmStop::seconds)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("Kong", 48L),
            org.assertj.core.groups.Tuple.tuple("D", 70L));
    assertThat(gke.toMarkdown()).contains("**GKE Spot or preemptible node pools:**")
        .contains("get 15 s").contains("Kong needs 48 s, D needs 70 s")
        .contains("GKE 1.35.0-gke.1171000");
    RolloutPlan mig = RolloutPlan.of(PlanInput.withDefaults(10 * MB, 10 * MB, Platform.MIG));
    assertThat(mig.gkeSpotOverruns()).extracting(RolloutPlan.VmStop::tier)
        .as("D on a MIG is not a pod").containsExactly("Kong");
  }

  @Test
  void wrongInputNamesTheOption() {
    assertThatThrownBy(() -> new PlanInput(0, MB, Platform.GKE, Duration.ZERO, Duration.ZERO,
        Duration.ZERO, Duration.ZERO)).hasMessageContaining("--max-upload");
    assertThatThrownBy(() -> new PlanInput(MB, 0, Platform.GKE, Duration.ZERO, Duration.ZERO,
        Duration.ZERO, Duration.ZERO)).hasMessageContaining("--min-client-rate");
    assertThatThrownBy(() -> new PlanInput(MB, MB, Platform.GKE, Duration.ofSeconds(-1),
        Duration.ZERO, Duration.ZERO, Duration.ZERO)).hasMessageContaining("--propagation-delay");
    assertThatThrownBy(() -> new PlanInput(MB, MB, Platform.GKE, Duration.ZERO,
        Duration.ZERO, Duration.ZERO, Duration.ofSeconds(-1)))
        .hasMessageContaining("--processing-time");
  }
}

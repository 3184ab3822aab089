package dev.drain.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.drain.core.DrainBudget;
import dev.drain.core.DrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The planner's invariants over a grid of inputs: sizes 1 MB to 4 GB, rates 50 KB/s to 100 MB/s,
 * D on GKE and on a MIG, with and without a preStop, D answering at once, in 5 s and in 60 s.
 * Every expected figure is computed here from the input, not read from the plan. The gantts of
 * part of the grid are written to {@code target/plan-gantts/plans.md}, where the Mermaid check
 * ({@code docs/mermaid-check/check.mjs --generated}) parses them and reads each task back.
 */
class PlanInvariantsTest {

  private static final long KB = 1024;
  private static final long MB = DrainConfig.MEBIBYTE;
  private static final long[] SIZES = {MB, 10 * MB, 50 * MB, 100 * MB, 500 * MB, 1024 * MB,
      2048 * MB, 4096 * MB};
  private static final long[] RATES = {50 * KB, 100 * KB, 512 * KB, MB, 5 * MB, 10 * MB,
      50 * MB, 100 * MB};
  private static final Duration[] PRE_STOPS = {Duration.ZERO, Duration.ofSeconds(10)};
  private static final Duration[] PROCESSING = {Duration.ZERO, Duration.ofSeconds(5),
      Duration.ofSeconds(60)};
  /** The grid's size: every combination below is planned and checked. */
  static final int COMBINATIONS = SIZES.length * RATES.length * Platform.values().length
      * PRE_STOPS.length * PROCESSING.length;

  @Test
  void everyPlanOfTheGridKeepsTheInvariantsOrNamesTheLimit() throws Exception {
    int planned = 0;
    int refused = 0;
    StringBuilder gantts = new StringBuilder("# Planner gantts (PlanInvariantsTest)\n\n");
    for (int s = 0; s < SIZES.length; s++) {
      for (int r = 0; r < RATES.length; r++) {
        for (Duration preStop : PRE_STOPS) {
          for (Duration processing : PROCESSING) {
            RolloutPlan[] byPlatform = new RolloutPlan[2];
            for (Platform platform : Platform.values()) {
              PlanInput in = new PlanInput(SIZES[s], RATES[r], platform,
                  PlanInput.defaultDelay(platform), Duration.ofSeconds(5), preStop, processing);
              RolloutPlan plan = check(in);
              if (plan == null) {
                refused++;
                continue;
              }
              planned++;
              byPlatform[platform.ordinal()] = plan;
              if (s == r) {
                gantts.append("## ").append(in).append("\n\n").append(PlanMarkdown.gantt(
                    "grid " + s + " " + platform, plan.shutdownTimeline())).append('\n');
              }
            }
            if (byPlatform[0] != null && byPlatform[1] != null) {
              kongIsTheSameWhateverDRunsOn(byPlatform[0], byPlatform[1]);
            }
          }
        }
      }
    }
    assertThat(planned + refused).isEqualTo(COMBINATIONS).isEqualTo(768);
    assertThat(planned).as("most of the grid can be planned").isGreaterThan(COMBINATIONS / 2);
    assertThat(refused).as("some of it hits a platform limit").isPositive();
    Path out = Path.of("target", "plan-gantts");
    Files.createDirectories(out);
    Files.writeString(out.resolve("plans.md"), gantts);
  }

  /** Plans {@code in} and checks every invariant; returns null when refused for a limit. */
  private static RolloutPlan check(PlanInput in) {
    long upload = ceilDiv(in.maxUploadBytes(), in.minClientRate());
    long lan = ceilDiv(in.maxUploadBytes(), 100 * MB);
    long processing = in.processingTime().toSeconds();
    long margin = in.safetyMargin().toSeconds();
    long request = upload + 2 * lan + processing + margin;
    long grace = in.preStop().toSeconds() + in.propagationDelay().toSeconds() + upload + margin
        + processing;
    boolean overDraining = request > 3600;
    boolean overVm = in.platform() == Platform.MIG && grace > 80;
    RolloutPlan plan;
    try {
      plan = RolloutPlan.of(in);
    } catch (IllegalArgumentException e) {
      if (overDraining) {
        assertThat(e).hasMessageContaining("drainingTimeoutSec").hasMessageContaining("3600 s")
            .hasMessageContaining("lasts " + request + " s");
      } else if (overVm) {
        assertThat(e).hasMessageContaining("VM's shutdown").hasMessageContaining("80 s at most")
            .hasMessageContaining("needs " + grace + " s");
      } else {
        fail("refused %s without a limit: %s", in, e.getMessage());
      }
      return null;
    }
    assertThat(overDraining || overVm).as("planned past a limit: %s", in).isFalse();
    long timeout = plan.loadBalancerTimeout().toSeconds();
    assertThat(timeout).as("timeoutSec of %s", in).isGreaterThanOrEqualTo(30)
        .isGreaterThanOrEqualTo(request).isEqualTo(Math.max(30, request));
    assertThat(plan.connectionDraining().toSeconds()).as("draining of %s", in)
        .isGreaterThanOrEqualTo(timeout).isLessThanOrEqualTo(3600);
    assertThat(plan.internalConnectionDraining().toSeconds())
        .isGreaterThanOrEqualTo(plan.connectionDraining().toSeconds())
        .as("A's pooled connection: keepalive_time + keepalive_timeout + margin")
        .isGreaterThanOrEqualTo(10 + 10 + margin);
    assertThat(plan.kongQuitWait().toSeconds()).as("Kong's wait of %s", in)
        .as("node health check 6 s + keepalive_time + keepalive_timeout + margin")
        .isEqualTo(6 + 10 + 10 + margin);
    assertThat(plan.nginxProxyReadTimeout()).as("A's read timeout of %s", in)
        .isGreaterThanOrEqualTo(60).isGreaterThanOrEqualTo(2 * lan + processing + margin);
    assertThat(plan.kongReadTimeoutMillis()).isGreaterThanOrEqualTo(60_000)
        .isGreaterThanOrEqualTo((processing + margin) * 1000);
    assertThat(plan.clientMaxBodySizeMebibytes() * MB).isGreaterThan(in.maxUploadBytes());
    assertThat(plan.multipartMaxRequestBytes()).isGreaterThan(in.maxUploadBytes())
        .isGreaterThanOrEqualTo(10 * MB);
    assertThat(plan.applicationGracePeriod().toSeconds()).as("grace of %s", in).isEqualTo(grace);
    assertThat(plan.applicationGracePeriod())
        .as("the library's budget rule + D's processing")
        .isEqualTo(DrainBudget.requiredGracePeriod(plan.application()).plusSeconds(processing));
    assertThat(plan.applicationFindings()).as("budget check of %s", in).isEmpty();
    List<String> stopTiers = new ArrayList<>();
    for (RolloutPlan.VmStop stop : plan.vmStops()) {
      assertThat(stop.seconds()).as("%s of %s", stop, in).isLessThanOrEqualTo(80);
      stopTiers.add(stop.tier());
    }
    assertThat(stopTiers).containsExactlyElementsOf(in.platform() == Platform.MIG
        ? List.of("nginx A", "nginx B", "D") : List.of("nginx A", "nginx B"));
    assertThat(plan.spotOverruns()).extracting(RolloutPlan.VmStop::tier)
        .containsExactlyElementsOf(plan.vmStops().stream().filter(x -> x.seconds() > 20)
            .map(RolloutPlan.VmStop::tier).toList());

    String md = plan.toMarkdown();
    assertThat(md).contains("| backend service `timeoutSec` | " + timeout + " |")
        .contains("= " + request + " s; ")
        .contains("| `connectionDraining.drainingTimeoutSec` | " + timeout + " |")
        .contains("drain.grace-period=" + grace + "s\n")
        .contains(in.platform() == Platform.GKE ? "`terminationGracePeriodSeconds: " + grace
            : "`TimeoutStopSec=" + grace + "`");
    if (request <= 30) {
      assertThat(md).contains("holds it: keep the default").doesNotContain("would cut");
    } else {
      assertThat(md).contains("would cut it").doesNotContain("keep the default");
    }
    assertThat(md.contains("**Spot or preemptible VMs:**"))
        .isEqualTo(!plan.spotOverruns().isEmpty());
    assertThat(md.contains("**GKE Spot or preemptible node pools:**"))
        .as("Kong's grace always exceeds a Spot node's 15 s").isTrue();
    assertThat(md).doesNotContain("BackendConfig `connectionDraining");

    long preStop = in.preStop().toSeconds();
    RolloutPlan.GanttTask sigterm = task(plan, preStop > 0 ? "SIGTERM" : "SIGTERM, endpoint removed");
    assertThat(sigterm.start()).as("SIGTERM at the preStop's end").isEqualTo(preStop);
    assertThat(task(plan, "SIGKILL").start()).isEqualTo(grace);
    assertThat(task(plan, "margin, server stop, exit").end()).isEqualTo(grace);
    for (RolloutPlan.GanttTask t : plan.shutdownTimeline()) {
      assertThat(t.start()).isBetween(0L, t.end());
      assertThat(t.end()).isLessThanOrEqualTo(grace);
      assertThat(md).contains(t.label() + " :" + (t.milestone() ? "milestone, " : "") + t.id()
          + ", " + t.start() * 1000 + ", " + t.end() * 1000 + "\n");
    }
    return plan;
  }

  private static void kongIsTheSameWhateverDRunsOn(RolloutPlan gke, RolloutPlan mig) {
    assertThat(mig.kongQuitWait()).isEqualTo(gke.kongQuitWait());
    assertThat(mig.kongQuitTimeout()).isEqualTo(gke.kongQuitTimeout());
    assertThat(mig.kongGracePeriod()).isEqualTo(gke.kongGracePeriod());
    assertThat(section(mig.toMarkdown(), "## C: Kong on GKE"))
        .isEqualTo(section(gke.toMarkdown(), "## C: Kong on GKE"));
  }

  private static String section(String md, String heading) {
    int start = md.indexOf(heading);
    return md.substring(start, md.indexOf("\n## ", start + 1));
  }

  private static RolloutPlan.GanttTask task(RolloutPlan plan, String label) {
    return plan.shutdownTimeline().stream().filter(t -> t.label().equals(label)).findFirst()
        .orElseThrow(() -> new AssertionError("no task " + label));
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}

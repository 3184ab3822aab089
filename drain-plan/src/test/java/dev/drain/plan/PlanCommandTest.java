package dev.drain.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The planner's command line: its output, its errors, and the docs that quote it. */
class PlanCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return PlanCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void printsThePlanAsMarkdownWithItsTimeline() {
    assertThat(run("plan", "--max-upload", "50MB", "--min-client-rate", "1MB/s", "--platform",
        "gke")).isZero();
    String plan = out.toString(StandardCharsets.UTF_8);
    assertThat(plan).startsWith("# Rollout plan: 50MB uploads at 1MB/s or faster")
        .contains("Units: MB is MiB (1,048,576 bytes); 1MB/s is 8.39 Mbit/s.")
        .contains("| backend service `timeoutSec` | 62 |")
        .contains("| `connectionDraining.drainingTimeoutSec` | 62 |")
        .contains("client_max_body_size 51m;")
        .contains("--retry QUIT/5/TERM/5")
        .contains("`kong quit --wait=31 --timeout=12`")
        .contains("drain.grace-period=70s")
        .contains("# per second: 1MB/s\ndrain.min-client-rate=1MB\n")
        .contains("`terminationGracePeriodSeconds: 70`")
        .contains("```mermaid\ngantt\n").contains("dateFormat x\n")
        .contains("SIGKILL :milestone, m1, 70000, 70000\n");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void optionsMayUseEqualsAndOverrideTheDefaults() {
    assertThat(run("plan", "--max-upload=10MB", "--min-client-rate=512KB/s", "--platform=mig",
        "--propagation-delay=3s", "--safety-margin=2s", "--pre-stop=1s")).isZero();
    // 10 MiB at 512 KiB/s = 20 s; 1 + 3 + 20 + 2 + 5 processing
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("drain.grace-period=31s")
        .contains("drain.pre-stop-duration=1s").contains("`TimeoutStopSec=31`");
  }

  @Test
  void sizesAreMebibytesAndMayHaveDecimals() {
    assertThat(run("plan", "--max-upload", "1.5MB", "--min-client-rate", "0.5MB/s",
        "--platform", "gke", "--processing-time", "2.5s")).isZero();
    // 1.5 MiB at 0.5 MiB/s = 3 s; request 3 + 2 x 1 + 3 (2.5 rounded up) + 5
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("# Rollout plan: 1536KB uploads at 512KB/s or faster")
        .contains("512KB/s is 4.19 Mbit/s").contains("= 13 s; ")
        .contains("| backend service `timeoutSec` | 30 |");
    assertThat(Units.parseSize("4GB")).isEqualTo(4L << 30);
    assertThat(Units.parseSize("0.5MiB")).isEqualTo(512 * 1024);
    assertThat(Units.parseDuration("1.5m")).hasSeconds(90);
  }

  @Test
  void theSamePlanWhateverDRunsOnLeavesKongAlone() {
    assertThat(run("plan", "--max-upload", "10MB", "--min-client-rate", "1MB/s", "--platform",
        "mig")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("`kong quit --wait=31 ")
        .contains("wait: the Kong LB's node health check 6 s");
  }

  @Test
  void helpPrintsTheUsage() { // SRE error 10: plan --help
    assertThat(run("plan", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: plan");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "plan --max-upload 50MB --min-client-rate 1MB/s --platform aws | --platform must be gke or mig",
      "plan --max-upload 50 MB --min-client-rate 1MB/s --platform gke | unknown option MB",
      "plan --max-upload 50XB --min-client-rate 1MB/s --platform gke | --max-upload: not a size",
      "plan --max-upload 50MB --min-client-rate fast --platform gke | --min-client-rate: not a size",
      "plan --max-upload 50MB --platform gke | usage: plan",
      "plan --max-upload 50MB --min-client-rate 1MB/s --platform gke --safety-margin | needs a value",
      "plan --max-upload 100MB --min-client-rate 1MB/s --platform mig | needs 125 s",
      "plan --max-upload 50MB --min-client-rate 1MB/s --platform gke --processing-time 5 | --processing-time: not a duration",
      "plan --max-upload 50 --min-client-rate 1MB/s --platform gke | --max-upload: not a size",
      "plan --max-upload 50MB --min-client-rate 1MB/s --platform gke --pre-stop soon | --pre-stop: not a duration",
      "deploy | usage: plan"})
  void wrongInputExitsWithTwoAndSaysWhy(String line, String message) {
    assertThat(run(line.trim().split(" +"))).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("cannot plan: ")
        .contains(message);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void theDocsQuoteTheCurrentPlan() throws Exception {
    assertThat(run("plan", "--max-upload", "50MB", "--min-client-rate", "1MB/s", "--platform",
        "gke")).isZero();
    String docs = Files.readString(Path.of("..", "docs", "rolling-updates.md"));
    String begin = "<!-- plan: 50MB 1MB/s gke -->\n";
    String end = "<!-- /plan -->";
    assertThat(docs).contains(begin).contains(end);
    String quoted = docs.substring(docs.indexOf(begin) + begin.length(), docs.indexOf(end));
    assertThat(quoted).as("docs/rolling-updates.md quotes the planner's output for 50MB,"
        + " 1MB/s, gke; regenerate it when the planner changes")
        .isEqualTo(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theDocsQuoteThePlannersSectionsAsTheyAre() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "rolling-updates.md"));
    String begin = "<!-- plan-section: ";
    String end = "<!-- /plan-section -->";
    int quoted = 0;
    for (int at = docs.indexOf(begin); at >= 0; at = docs.indexOf(begin, at + 1)) {
      String marker = docs.substring(at + begin.length(), docs.indexOf(" -->\n", at));
      String heading = marker.substring(0, marker.indexOf(" | "));
      String[] args = marker.substring(marker.indexOf(" | ") + 3).split(" +");
      out.reset();
      assertThat(run(args)).isZero();
      String plan = out.toString(StandardCharsets.UTF_8);
      String body = docs.substring(docs.indexOf(" -->\n", at) + 5, docs.indexOf(end, at));
      assertThat(body).as("docs/rolling-updates.md quotes '%s' of %s", heading, marker)
          .isEqualTo(plan.substring(plan.indexOf(heading)));
      quoted++;
    }
    assertThat(quoted).as("the --pre-stop path is quoted").isPositive();
  }
}

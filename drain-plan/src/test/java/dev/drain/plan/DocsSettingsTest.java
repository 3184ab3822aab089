package dev.drain.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drain.core.DrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The settings tables of {@code docs/rolling-updates.md} and its Chinese summary {@code
 * docs/rolling-updates.zh.md}: the same tables, the same rows, and in each row the same code
 * spans and numbers; the English ones carry the planner's figures for 50 MB at 1 MB/s on GKE,
 * and the count the verdict gives.
 */
class DocsSettingsTest {

  private static final Pattern CODE_OR_NUMBER = Pattern.compile("`[^`]*`|\\d+");

  @Test
  void theChineseSummaryHasTheEnglishSettings() throws Exception {
    List<List<List<String>>> en = tables(read("rolling-updates.md"));
    List<List<List<String>>> zh = tables(read("rolling-updates.zh.md"));
    assertThat(en).hasSize(8);
    assertThat(zh).as("tables, rows, and each row's code spans and numbers").isEqualTo(en);
  }

  @Test
  void theEnglishSettingsAreThePlannersAndTheVerdictCountsThem() throws Exception {
    String md = read("rolling-updates.md");
    RolloutPlan plan = RolloutPlan.of(PlanInput.withDefaults(50 * DrainConfig.MEBIBYTE,
        DrainConfig.MEBIBYTE, Platform.GKE));
    String settings = settings(md);
    assertThat(settings)
        .contains("| backend service `timeoutSec` | " + plan.loadBalancerTimeout().toSeconds()
            + " |")
        .contains("| `connectionDraining.drainingTimeoutSec` | "
            + plan.connectionDraining().toSeconds() + " |")
        .contains("| `connectionDraining.drainingTimeoutSec` | "
            + plan.internalConnectionDraining().toSeconds() + " |")
        .contains("| `minReadySec` | " + plan.minReady().toSeconds() + " |")
        .contains("--retry QUIT/" + plan.nginxHttpStopWait().toSeconds() + "/TERM/5")
        .contains("--retry QUIT/" + plan.nginxStreamStopWait().toSeconds() + "/TERM/5")
        .contains("| systemd `TimeoutStopSec` | "
            + plan.nginxStopTimeout(plan.nginxHttpStopWait()) + " |")
        .contains("| a Kong pod replaced | no LB setting: the node health check (3 s × 2) ")
        .contains("`kong quit --wait=" + plan.kongQuitWait().toSeconds() + " --timeout="
            + plan.kongQuitTimeout().toSeconds() + "`")
        .contains("| `terminationGracePeriodSeconds` | " + plan.kongGracePeriod().toSeconds()
            + " |")
        .contains("| `terminationGracePeriodSeconds` | "
            + plan.applicationGracePeriod().toSeconds() + " |")
        .contains("| `drain.grace-period` | `" + plan.applicationGracePeriod().toSeconds()
            + "s` |")
        .contains("`client_max_body_size` (the whole body: the file + 1 MiB for multipart"
            + " framing) | `" + plan.clientMaxBodySizeMebibytes() + "m` |")
        .contains("| `drain.max-upload-size` / `drain.min-client-rate` (bytes per second) | `"
            + RolloutPlan.size(plan.input().maxUploadBytes()) + "` / `"
            + RolloutPlan.size(plan.input().minClientRate()) + "` per second |")
        .as("no BackendConfig for an L4 Service (SRE error 1)")
        .doesNotContain("BackendConfig `connectionDraining");
    assertThat(plan.kongPropagationDelay().toSeconds()).isEqualTo(3 * 2);
    int rows = tables(md).stream().mapToInt(List::size).sum();
    assertThat(md).contains("With the " + rows + " settings of");
    assertThat(read("rolling-updates.zh.md")).contains("采用下面 " + rows + " 项设置");
  }

  private static String read(String name) throws Exception {
    return Files.readString(Path.of("..", "docs", name));
  }

  private static String settings(String md) {
    String begin = "<!-- settings -->";
    String end = "<!-- /settings -->";
    assertThat(md).contains(begin).contains(end);
    return md.substring(md.indexOf(begin), md.indexOf(end));
  }

  /** Per table, per row (header and separator skipped), its code spans and numbers. */
  private static List<List<List<String>>> tables(String md) {
    List<List<List<String>>> tables = new ArrayList<>();
    List<List<String>> table = null;
    for (String line : settings(md).split("\n")) {
      if (!line.startsWith("|")) {
        table = null;
        continue;
      }
      if (table == null) {
        table = new ArrayList<>();
        tables.add(table);
        continue; // the header
      }
      if (line.startsWith("|---")) {
        continue;
      }
      List<String> tokens = new ArrayList<>();
      Matcher m = CODE_OR_NUMBER.matcher(line);
      while (m.find()) {
        tokens.add(m.group());
      }
      table.add(tokens);
    }
    return tables;
  }
}

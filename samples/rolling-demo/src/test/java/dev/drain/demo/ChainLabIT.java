package dev.drain.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chain lab's short version: LB, A, L4, B, C (Kong stand-in) and D (the Jetty sample with
 * the library) on loopback, every tier replaced once with the settings the planner prints, while
 * GETs, bursts of small POSTs and 50 MB uploads checked by SHA-256 flow through the front.
 * Nothing may fail. The defaults column, whose failures depend on timing, runs in {@code
 * samples/chain-lab/lab.sh}.
 */
class ChainLabIT {

  @Test
  void withThePlannersSettingsNoRequestFailsWhileEveryTierIsReplaced() throws Exception {
    Path out = Path.of(System.getProperty("demo.outDir"), "chain-lab");
    Map<String, String> options = Map.of(
        "sample-jar", System.getProperty("demo.jettyJar"),
        "settings", "recommended",
        "trials", "1",
        "out", out.toString());
    List<ChainLab.Cell> cells = ChainLab.run(options);
    Files.writeString(out.resolve("report.md"), ChainLab.report(cells, options));
    System.out.println(ChainLab.matrix(cells));

    assertThat(cells).extracting(ChainLab.Cell::tier).containsExactly("A", "B", "C", "D");
    for (ChainLab.Cell cell : cells) {
      assertThat(cell.failures()).as("failures while %s was replaced", cell.tier()).isEmpty();
      assertThat(cell.totalFailed()).isZero();
      assertThat(cell.sent().getOrDefault("GET", 0L)).as("GETs during %s", cell.tier())
          .isGreaterThan(50);
      assertThat(cell.sent().getOrDefault("POST", 0L)).as("POSTs during %s", cell.tier())
          .isGreaterThan(50);
      assertThat(cell.sent().getOrDefault("upload", 0L)).as("uploads during %s", cell.tier())
          .isGreaterThanOrEqualTo(1);
    }
  }
}

package dev.drain.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One round of the rolling proof behind real nginx: every instance replaced once while GETs,
 * bursts of small POSTs and 50 MB uploads flow. With the library nothing may fail; the baseline's
 * failures are printed, not asserted (they depend on timing).
 */
class RollingDemoIT {

  @Test
  void withTheLibraryNoRequestFailsWhileEveryInstanceIsReplaced() throws Exception {
    List<RollingDemo.RunResult> results = RollingDemo.run(Map.of(
        "sample-jar", System.getProperty("demo.sampleJar"),
        "out", System.getProperty("demo.outDir"),
        "rounds", "1",
        "instances", "2",
        "grace", "20s"));
    System.out.println(RollingDemo.table(results));

    RollingDemo.RunResult library = results.get(1);
    assertThat(library.mode()).isEqualTo("library");
    assertThat(library.totalSent()).as("requests sent").isGreaterThan(300);
    assertThat(library.failures()).as("failures with the library").isEmpty();
    assertThat(library.totalFailed()).isZero();
    assertThat(library.uploads()).as("50 MB uploads").isGreaterThanOrEqualTo(2);
    assertThat(library.shaMatches()).as("uploads with the right SHA-256")
        .isEqualTo(library.uploads());
    assertThat(library.sigkills()).isZero();
  }
}

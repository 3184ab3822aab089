package dev.drain.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A short soak of the rolling proof behind real nginx, for each sample (Jetty, Netty, Spring Boot): 2
 * instances each replaced once (3 in {@code demo.sh}; 2 keep the build near its budget) while
 * GETs, bursts of small POSTs and back-to-back 50 MB uploads at 10 MB/s flow, the library with
 * its default admission settings. With the library nothing may fail and nothing may be refused.
 * The baseline, whose failures depend on timing and were never asserted, runs in {@code demo.sh}
 * only, which keeps the build near 15 minutes; {@code demo.sh --soak} is the long version.
 */
class RollingDemoIT {

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "netty", "spring"})
  void withTheLibraryNoRequestFailsWhileEveryInstanceIsReplaced(String sample) throws Exception {
    Map<String, String> options = Map.of(
        "sample", sample,
        "sample-jar", System.getProperty("demo." + sample + "Jar"),
        "out", System.getProperty("demo.outDir") + "/" + sample,
        "modes", "library",
        "rounds", "1",
        "instances", "2",
        "grace", "30s");
    List<RollingDemo.RunResult> results = RollingDemo.run(options);
    System.out.println(RollingDemo.table(results));
    // the report, whose diagrams scripts/test.sh checks after the build
    Files.writeString(Path.of(options.get("out"), "report.md"),
        RollingDemo.report(results, options));

    RollingDemo.RunResult library = results.get(0);
    assertThat(library.mode()).isEqualTo("library");
    assertThat(library.totalSent()).as("requests sent").isGreaterThan(300);
    assertThat(library.failures()).as("failures with the library").isEmpty();
    assertThat(library.totalFailed()).isZero();
    assertThat(library.uploads()).as("50 MB uploads").isGreaterThanOrEqualTo(2);
    assertThat(library.shaMatches()).as("uploads with the right SHA-256")
        .isEqualTo(library.uploads());
    assertThat(library.sigkills()).isZero();
    assertThat(library.refused()).as("uploads refused by the library").isZero();
  }
}

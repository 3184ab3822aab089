package dev.drain.test;

import dev.drain.apicheck.ApiBaseline;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of drain-test equals its committed baseline, {@code api/drain-test.api}. */
class PublicApiTest {

  @Test
  void publicApiEqualsTheCommittedBaseline() {
    ApiBaseline.assertMatchesBaseline("drain-test", Path.of(""));
  }
}

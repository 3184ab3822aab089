package dev.drain.core;

import dev.drain.apicheck.ApiBaseline;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of drain-core equals its committed baseline, {@code api/drain-core.api}. */
class PublicApiTest {

  @Test
  void publicApiEqualsTheCommittedBaseline() {
    ApiBaseline.assertMatchesBaseline("drain-core", Path.of(""));
  }
}

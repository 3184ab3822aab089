package dev.drain.servlet;

import dev.drain.apicheck.ApiBaseline;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of drain-servlet equals its committed baseline, {@code api/drain-servlet.api}. */
class PublicApiTest {

  @Test
  void publicApiEqualsTheCommittedBaseline() {
    ApiBaseline.assertMatchesBaseline("drain-servlet", Path.of(""));
  }
}

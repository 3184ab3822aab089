package dev.drain.spring;

import dev.drain.apicheck.ApiBaseline;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of drain-spring-starter equals its committed baseline, {@code api/drain-spring-starter.api}. */
class PublicApiTest {

  @Test
  void publicApiEqualsTheCommittedBaseline() {
    ApiBaseline.assertMatchesBaseline("drain-spring-starter", Path.of(""));
  }
}

package dev.drain.netty;

import dev.drain.apicheck.ApiBaseline;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of drain-netty equals its committed baseline, {@code api/drain-netty.api}. */
class PublicApiTest {

  @Test
  void publicApiEqualsTheCommittedBaseline() {
    ApiBaseline.assertMatchesBaseline("drain-netty", Path.of(""));
  }
}

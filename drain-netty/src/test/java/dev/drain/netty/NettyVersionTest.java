package dev.drain.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import org.junit.jupiter.api.Test;

/**
 * Pins which Netty line these tests run on: drain-netty's own build runs them on 4.1 (the line
 * it compiles against), drain-netty-4.2-test runs the same classes on 4.2; each build says which
 * with {@code -Dnetty.line}.
 */
class NettyVersionTest {

  @Test
  void theTestsRunOnTheNettyLineTheBuildAsksFor() {
    String line = System.getProperty("netty.line");
    assertThat(line).as("-Dnetty.line set by the build").isNotBlank();
    assertThat(Version.identify().get("netty-codec-http").artifactVersion()).startsWith(line);
    assertThat(Version.identify().get("netty-transport").artifactVersion()).startsWith(line);
  }
}

package dev.drain.samples.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.test.PatternBody;
import dev.drain.test.RawHttp;
import dev.drain.test.SampleProcess;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged sample in its own JVM: HTTP/1.1 and h2c, and SIGTERM with an upload that cannot
 * finish in time.
 */
class NettyServerProcessIT {

  private static final long MB = 1024 * 1024;
  private SampleProcess sample;

  @AfterEach
  void kill() {
    if (sample != null) {
      sample.process().destroyForcibly();
    }
  }

  private int start(String... drainArgs) throws Exception {
    List<String> args = new ArrayList<>(List.of("--server.port=0"));
    args.addAll(List.of(drainArgs));
    sample = SampleProcess.start(Path.of(System.getProperty("sample.jar")), List.of(), args,
        ProcessBuilder.Redirect.DISCARD);
    return sample.port();
  }

  @Test
  void servesHttp2ByUpgradeAndPriorKnowledgeAndDrainsIdle() throws Exception {
    int port = start("--drain.propagation-delay=500ms", "--drain.quiet-period=0s");
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> upgraded = h2.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/hello")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(upgraded.version()).as("h2c upgrade").isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(upgraded.body()).isEqualTo("hello");
    HttpResponse<String> http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .build().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
            .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(http11.body()).isEqualTo("ready\n");

    long sigterm = System.nanoTime();
    Process process = sample.process();
    assertThat(process.toHandle().destroy()).isTrue();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
    assertThat(process.exitValue()).isEqualTo(143);
    assertThat(tookMillis).as("idle: the propagation delay and little more").isBetween(500L, 2500L);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(sample.lines())
        .anyMatch(line -> line.startsWith("DRAIN done in ") && line.contains("nothing cut")));
  }

  @Test
  void anUploadThatCannotFinishIsCutListedAndTheProcessEndsBeforeTheGracePeriod()
      throws Exception {
    int port = start("--drain.grace-period=3s", "--drain.safety-margin=500ms",
        "--drain.propagation-delay=0s", "--drain.quiet-period=0s");
    RawHttp upload = new RawHttp(port);
    upload.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + (50 * MB) + "\r\n\r\n");
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
      try {
        OutputStream out = upload.socket().getOutputStream();
        new PatternBody(50 * MB, 2 * MB).transferTo(out);
      } catch (java.io.IOException cut) {
        // expected: the sample stops before the body is complete
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try (RawHttp status = new RawHttp(port)) {
        return status.get("/drainz").body().matches(".*\"bytesDone\":[1-9].*\\n?");
      }
    });

    long sigterm = System.nanoTime();
    Process process = sample.process();
    assertThat(process.toHandle().destroy()).isTrue();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);

    assertThat(process.exitValue()).isEqualTo(143);
    assertThat(tookMillis).as("ms from SIGTERM to exit").isLessThan(3000);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(sample.lines())
        .anyMatch(line -> line.startsWith("DRAIN done in ")
            && line.contains("cut: [POST /upload (") && line.contains(" of 52428800 bytes)]")));
    sending.get(10, TimeUnit.SECONDS);
    upload.close();
  }

  /**
   * With the JDK's default logging, whose own shutdown hook resets its handlers while the drain
   * runs, the library's log of the drain (start, stop accepting, result) reaches the console on
   * every one of 5 SIGTERMs.
   */
  @Test
  void theDrainsOwnLogLinesReachTheConsoleOnEverySigterm() throws Exception {
    for (int round = 1; round <= 5; round++) {
      SampleProcess.Stopped stopped = SampleProcess.sigtermWhenListening(
          Path.of(System.getProperty("sample.jar")),
          List.of("--server.port=0", "--drain.propagation-delay=200ms", "--drain.quiet-period=0s"));
      assertThat(stopped.exitCode()).isEqualTo(143);
      assertThat(stopped.stderr()).as("round %d", round)
          .anyMatch(line -> line.contains("graceful-drain: draining (SIGTERM)"))
          .anyMatch(line -> line.contains("graceful-drain: stopped accepting; 0 request(s)"))
          .anyMatch(line -> line.contains("graceful-drain: drained in ")
              && line.contains("nothing cut"));
    }
  }
}

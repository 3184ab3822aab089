package dev.drain.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.test.PatternBody;
import dev.drain.test.RawHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A refusal is safe to send again, and nginx can be set to do so. Instance A has seen uploads
 * arrive at about 1 MB/s and is draining (SIGTERM, 8 s propagation delay, 12 s budget); B is
 * nginx's backup. A 16 MB POST through nginx cannot finish on A, which answers 503 before reading
 * its body ({@code Drain-Refused: not-processed}). With nginx's defaults and streamed bodies the
 * client gets that 503; with buffered bodies and {@code proxy_next_upstream ... http_503
 * non_idempotent} nginx sends the body to B and the client gets 200 with the right SHA-256.
 */
class RetrySafeRefusalIT {

  private static final long MB = 1L << 20;
  private static final long UPLOAD = 16 * MB;

  private static Path jar;
  private static Path dir;
  private static Instance backup;

  @BeforeAll
  static void startBackup() throws Exception {
    jar = Path.of(System.getProperty("demo.jettyJar"));
    dir = Files.createDirectories(Path.of(System.getProperty("demo.outDir"), "retry"));
    backup = Instance.start("backup", jar, dir, List.of("--drain.grace-period=10s"),
        java.time.Duration.ZERO);
    backup.awaitReady(30_000);
  }

  @AfterAll
  static void stopBackup() {
    if (backup != null) {
      backup.process.destroyForcibly();
    }
  }

  @ParameterizedTest
  @EnumSource(Nginx.Retry.class)
  void aRefusedUploadIsRetriedElsewhereOnlyWhenNginxIsToldTo(Nginx.Retry retry) throws Exception {
    Instance draining = Instance.start("draining-" + retry, jar, dir, List.of(
        "--drain.grace-period=14s", "--drain.propagation-delay=8s"), java.time.Duration.ZERO);
    try (Nginx nginx = new Nginx(dir.resolve("nginx-" + retry), Ports.free(), retry)) {
      draining.awaitReady(30_000);
      giveEvidenceOfSlowUploads(draining.port);
      nginx.route(List.of(draining.port), List.of(backup.port));

      draining.sigterm();
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
          .until(() -> RawClient.get(draining.port, "/readyz").status() == 503);
      Outcome outcome = postThroughNginx(nginx.port());
      // nginx writes the access log line once the request is finalized, after the response
      String logged = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
          .until(() -> lastLogLine(nginx), line -> line != null);

      System.out.printf("RETRY-SAFE %s: client got %s; nginx: %s%n", retry, outcome, logged);
      if (retry == Nginx.Retry.REFUSALS) {
        assertThat(outcome.status).isEqualTo(200);
        assertThat(outcome.body).contains("\"sha256\":\"" + PatternBody.sha256(UPLOAD) + "\"");
        assertThat(logged).as("A tried first and answered 503, then B 200")
            .contains("127.0.0.1:" + draining.port + ", 127.0.0.1:" + backup.port + " 503, 200");
      } else {
        assertThat(outcome.status).as("nginx's default hands the refusal to the client")
            .isEqualTo(503);
        assertThat(outcome.refusedHeader).isEqualTo(dev.drain.core.Admission.NOT_PROCESSED);
        assertThat(logged).contains("127.0.0.1:" + draining.port + " 503");
      }
      assertThat(draining.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      long[] counts = draining.drainCounts();
      assertThat(counts).as("the drain printed its result").isNotNull();
      assertThat(counts[1]).as("refused by the draining instance").isEqualTo(1);
    } finally {
      draining.process.destroyForcibly();
    }
  }

  /** Three uploads of 1.5 MB at 1 MB/s, at the same time: the instance's evidence. */
  private static void giveEvidenceOfSlowUploads(int port) throws Exception {
    List<CompletableFuture<RawHttp.Response>> uploads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      uploads.add(CompletableFuture.supplyAsync(() -> {
        try {
          return RawClient.post(port, "/upload", new PatternBody(3 * MB / 2, MB), 3 * MB / 2);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (CompletableFuture<RawHttp.Response> upload : uploads) {
      assertThat(upload.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }

  private record Outcome(int status, String body, String refusedHeader, String failure) {
    @Override
    public String toString() {
      return failure != null ? failure : "HTTP " + status;
    }
  }

  /** Sends the body from another thread, so an early answer is read whatever the body does. */
  private static Outcome postThroughNginx(int port) throws Exception {
    try (RawHttp http = new RawHttp(port)) {
      http.socket().setSoTimeout(60_000);
      http.send("POST /upload HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n"
          + "Content-Type: application/octet-stream\r\nContent-Length: " + UPLOAD + "\r\n\r\n");
      OutputStream out = http.socket().getOutputStream();
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        try {
          new PatternBody(UPLOAD, 0).transferTo(out);
          out.flush();
        } catch (IOException closedEarly) {
          // nginx answered and closed before taking the whole body
        }
      });
      try {
        RawHttp.Response response = http.read();
        return new Outcome(response.status(), response.body(),
            response.headers().get("drain-refused"), null);
      } catch (IOException e) {
        return new Outcome(0, "", null, e.getClass().getSimpleName());
      } finally {
        http.socket().close();
        sending.get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static String lastLogLine(Nginx nginx) throws IOException {
    List<String> lines = Files.readAllLines(nginx.accessLog());
    return lines.stream().filter(l -> l.contains(" POST /upload ")).reduce((a, b) -> b)
        .orElse(null);
  }
}

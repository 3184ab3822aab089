package dev.drain.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.test.PatternBody;
import dev.drain.test.RawHttp;
import dev.drain.test.SampleProcessKit;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged Spring Boot sample passes the samples' process contract, and on a real SIGTERM
 * shows what the starter changes in Spring Boot's own shutdown: readiness 503 at once while the
 * application serves through the propagation delay, and an upload longer than Spring Boot's
 * fixed 30 s phase timeout finishing under a 60 s grace period.
 */
class UploadServiceProcessIT extends SampleProcessKit {

  @Test
  void onSigtermReadinessIs503AtOnceWhileTheApplicationServesThroughTheDelay() throws Exception {
    int port = start("--drain.propagation-delay=3s", "--drain.quiet-period=0s",
        "--drain.grace-period=10s");
    try (RawHttp ready = new RawHttp(port)) {
      assertThat(ready.get("/actuator/health/readiness").status()).isEqualTo(200);
    }
    long sigterm = System.nanoTime();
    assertThat(sample.process().toHandle().destroy()).isTrue();
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() -> {
      try (RawHttp ready = new RawHttp(port)) {
        return ready.get("/actuator/health/readiness").status() == 503;
      }
    });
    long readinessMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
    try (RawHttp hello = new RawHttp(port)) {
      RawHttp.Response response = hello.get("/hello");
      assertThat(response.status()).as("served during the delay").isEqualTo(200);
      assertThat(response.connectionClose()).isTrue();
    }
    try (RawHttp probe = new RawHttp(port)) {
      assertThat(probe.get("/readyz").status()).isEqualTo(503);
    }
    assertThat(readinessMillis).as("ms from SIGTERM to readiness 503").isLessThan(2000);
    assertThat(sample.process().waitFor(10, TimeUnit.SECONDS)).as("exit before grace").isTrue();
    assertThat(sample.process().exitValue()).isEqualTo(143);
    long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
    assertThat(exitMillis).as("served through the 3 s delay, then exited").isBetween(3000L, 10000L);
  }

  /**
   * 38 MiB at 1 MiB/s takes about 38 s; SIGTERM comes once the upload has started. Spring Boot's
   * own 30 s {@code spring.lifecycle.timeout-per-shutdown-phase} would stop Tomcat under it; the
   * starter sets that timeout from {@code drain.grace-period}.
   */
  @Test
  void anUploadLongerThan30SecondsFinishesUnderA60SecondGracePeriod() throws Exception {
    long length = 38L * 1024 * 1024;
    int port = start("--drain.grace-period=60s", "--drain.propagation-delay=0s",
        "--drain.quiet-period=0s");
    RawHttp upload = new RawHttp(port);
    upload.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
        + "Content-Length: " + length + "\r\n\r\n");
    CompletableFuture<RawHttp.Response> answer = CompletableFuture.supplyAsync(() -> {
      try {
        OutputStream out = upload.socket().getOutputStream();
        new PatternBody(length, 1024 * 1024).transferTo(out);
        out.flush();
        return upload.read();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try (RawHttp status = new RawHttp(port)) {
        return status.get("/drainz").body().matches(".*\"bytesDone\":[1-9].*\\n?");
      }
    });
    long sigterm = System.nanoTime();
    assertThat(sample.process().toHandle().destroy()).isTrue();

    RawHttp.Response response = answer.get(60, TimeUnit.SECONDS);
    long answeredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).contains("\"bytes\":" + length)
        .contains(PatternBody.sha256(length));
    assertThat(answeredMillis).as("the upload outlived Spring Boot's 30 s phase timeout")
        .isGreaterThan(30_000);
    assertThat(sample.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
    assertThat(sample.process().exitValue()).isEqualTo(143);
    assertThat(exitMillis).as("exit before the 60 s grace period").isLessThan(60_000);
    // Boot's graceful phase would have held the upload for another 30 s: the drain's own phase
    // must not have timed out.
    assertThat(sample.awaitOutput(Duration.ofSeconds(5)))
        .noneMatch(line -> line.contains("still running after timeout"));
    upload.close();
  }
}

package dev.drain.samples.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.test.PatternBody;
import dev.drain.test.RawHttp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The packaged sample in its own JVM: SIGTERM with an upload that cannot finish in time. */
class ServletJettyProcessIT {

  private static final long MB = 1024 * 1024;
  private Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();

  @AfterEach
  void kill() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  private int start(String... drainArgs) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        System.getProperty("sample.jar"), "--server.port=0"));
    command.addAll(List.of(drainArgs));
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          output.add(line);
          if (line.startsWith("LISTENING port=")) {
            port.complete(Integer.parseInt(line.split("[= ]")[2]));
          }
        }
      } catch (java.io.IOException ignored) {
        // the sample exited
      }
    });
    reader.setDaemon(true);
    reader.start();
    return port.get(30, TimeUnit.SECONDS);
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
    assertThat(process.toHandle().destroy()).isTrue();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);

    assertThat(process.exitValue()).isEqualTo(143);
    assertThat(tookMillis).as("ms from SIGTERM to exit").isLessThan(3000);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output)
        .anyMatch(line -> line.startsWith("DRAIN done in ")
            && line.contains("cut: [POST /upload (") && line.contains(" of 52428800 bytes)]")));
    sending.get(10, TimeUnit.SECONDS);
    upload.close();
  }
}

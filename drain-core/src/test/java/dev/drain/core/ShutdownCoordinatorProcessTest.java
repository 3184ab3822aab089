package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The coordinator in a real child JVM that gets a real SIGTERM. */
class ShutdownCoordinatorProcessTest {

  private static final long DELAY_MS = 1000;
  private final HttpClient client = HttpClient.newHttpClient();
  private Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
  private Thread reader;

  private int start(long delayMs, long graceMs) throws IOException, InterruptedException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(List.of(javaBin, "-cp", System.getProperty("java.class.path"),
        CoordinatorChild.class.getName(), Long.toString(delayMs), Long.toString(graceMs)))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the child is gone
      }
    });
    reader.setDaemon(true);
    reader.start();
    int port = Integer.parseInt(expect("PORT ").substring(5));
    return port;
  }

  private String expect(String prefix) throws InterruptedException {
    while (true) {
      String line = lines.poll(20, TimeUnit.SECONDS);
      assertThat(line).as("child line starting with " + prefix + " after " + seen + "; child "
          + (process.isAlive() ? "alive" : "exited " + process.exitValue())).isNotNull();
      seen.add(line);
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /** Everything the child printed, once it has exited. */
  private List<String> allLines() throws InterruptedException {
    reader.join(5000);
    List<String> all = new java.util.ArrayList<>(seen);
    lines.drainTo(all);
    return all;
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Sends SIGTERM. {@code Process.destroy()} would send it too, but also closes our end of the
   * child's stdout, and the test reads what the child prints while it drains.
   */
  private void sigterm() {
    assertThat(process.toHandle().destroy()).isTrue();
  }

  @AfterEach
  void killChild() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  @Test
  void sigtermFlipsReadinessAtOnceWaitsForTheRequestAndExitsCleanly() throws Exception {
    int port = start(DELAY_MS, 10_000);
    assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);
    CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow?ms=2000")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(expect("BEGIN ")).isEqualTo("BEGIN true");

    long sigterm = System.currentTimeMillis();
    sigterm();
    long readinessFalse = Long.parseLong(expect("DRAINING ").substring(9));

    System.out.println("SIGTERM to readiness false: " + (readinessFalse - sigterm) + " ms");
    assertThat(readinessFalse - sigterm).as("ms from SIGTERM to readiness false")
        .isLessThanOrEqualTo(50);
    assertThat(get(port, "/readyz").statusCode()).isEqualTo(503);
    HttpResponse<String> response = slow.get(10, TimeUnit.SECONDS);
    long responded = System.currentTimeMillis();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("slow done");

    assertThat(process.waitFor(DELAY_MS + 3000, TimeUnit.MILLISECONDS)).isTrue();
    long exited = System.currentTimeMillis();
    assertThat(process.exitValue()).isIn(0, 143);
    assertThat(exited).isGreaterThanOrEqualTo(responded);
    assertThat(exited - sigterm).isLessThanOrEqualTo(DELAY_MS + 3000);
    List<String> all = allLines();
    assertThat(all).anyMatch(line -> line.startsWith("SERVER_STOPPED "));
    assertThat(all).as("no Runtime.halt: other hooks ran").contains("OTHER_HOOK_RAN");
  }

  @Test
  void withNothingInFlightItExitsRightAfterThePropagationDelay() throws Exception {
    int port = start(DELAY_MS, 10_000);
    assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);

    long sigterm = System.currentTimeMillis();
    sigterm();
    long draining = Long.parseLong(expect("DRAINING ").substring(9));
    long stopAccepting = Long.parseLong(expect("STOP_ACCEPTING ").substring(15));
    assertThat(process.waitFor(DELAY_MS + 3000, TimeUnit.MILLISECONDS)).isTrue();
    long exited = System.currentTimeMillis();

    assertThat(stopAccepting - draining).isBetween(DELAY_MS, DELAY_MS + 500);
    assertThat(exited - sigterm).isBetween(DELAY_MS, DELAY_MS + 1500);
    assertThat(process.exitValue()).isIn(0, 143);
  }

  @Test
  void aSecondSigtermIsHarmless() throws Exception {
    int port = start(DELAY_MS, 10_000);
    CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow?ms=2500")).build(),
        HttpResponse.BodyHandlers.ofString());
    expect("BEGIN ");

    sigterm();
    expect("DRAINING ");
    sigterm();
    expect("STOP_ACCEPTING ");
    sigterm();

    assertThat(slow.get(10, TimeUnit.SECONDS).body()).isEqualTo("slow done");
    assertThat(process.waitFor(DELAY_MS + 4000, TimeUnit.MILLISECONDS)).isTrue();
    assertThat(process.exitValue()).isIn(0, 143);
    lines.clear();
  }
}

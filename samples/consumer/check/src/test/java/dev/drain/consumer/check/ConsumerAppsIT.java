package dev.drain.consumer.check;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs the two consumer apps as a user would, each in its own JVM: serves a request, answers
 * its readiness probe, then on SIGTERM turns unready, lets the request in flight finish, drains
 * clean and exits before its grace period ends.
 */
class ConsumerAppsIT {

  private static final Path APPS = Path.of("..").toAbsolutePath().normalize();
  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
  private static final Duration GRACE = Duration.ofSeconds(15);
  /** Long enough to see readiness turn 503 on a busy machine before the server stops. */
  private static final Duration PROPAGATION_DELAY = Duration.ofSeconds(5);
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void modulePathAppServesAndDrainsOnSigterm() throws Exception {
    Path target = APPS.resolve("modulepath-app/target");
    String listening = serveAndDrain("module path", List.of("-p",
        jar(target) + File.pathSeparator + target.resolve("lib"),
        "-m", "dev.drain.consumer.modular/dev.drain.consumer.modular.JettyApp"));
    assertTrue(listening.endsWith(
        "core=dev.drain.core adapter=dev.drain.servlet app=dev.drain.consumer.modular"),
        "the library must load as named modules on the module path: " + listening);
  }

  @Test
  void classPathAppServesAndDrainsOnSigterm() throws Exception {
    Path target = APPS.resolve("classpath-app/target");
    String listening = serveAndDrain("class path", List.of("-cp",
        jar(target) + File.pathSeparator + target.resolve("lib") + File.separator + "*",
        "dev.drain.consumer.classpath.NettyApp"));
    assertTrue(listening.endsWith("core=null adapter=null app=null"),
        "everything must load from the class path (the unnamed module): " + listening);
  }

  /** Returns the app's LISTENING line. */
  private static String serveAndDrain(String path, List<String> launch) throws Exception {
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(launch);
    command.addAll(List.of("--drain.propagation-delay=" + PROPAGATION_DELAY.toSeconds() + "s",
        "--drain.grace-period=" + GRACE.toSeconds() + "s"));
    // A file, not a pipe: a pipe read while the process exits can lose its last lines.
    Path output = Files.createTempFile("consumer-app", ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start();
    try {
      String listening = await("LISTENING").atMost(Duration.ofSeconds(30))
          .until(() -> find(output, "LISTENING port="), line -> line != null);
      String base = "http://127.0.0.1:" + listening.split("[= ]")[2];

      assertEquals("200 hello", get(base + "/hello"), path + " GET /hello");
      assertEquals("200 ready", get(base + "/readyz").trim(), path + " GET /readyz");
      // still running when the delay ends and the server stops accepting
      long slowMillis = PROPAGATION_DELAY.toMillis() + 1000;
      CompletableFuture<HttpResponse<String>> slow = CLIENT.sendAsync(
          HttpRequest.newBuilder(URI.create(base + "/slow?ms=" + slowMillis)).build(),
          HttpResponse.BodyHandlers.ofString());
      await("slow request started").atMost(Duration.ofSeconds(10))
          .until(() -> find(output, "SLOW started") != null);

      long sigterm = System.nanoTime();
      process.destroy();   // SIGTERM
      await("readiness 503 during the propagation delay").atMost(PROPAGATION_DELAY)
          .ignoreExceptions().until(() -> get(base + "/readyz").startsWith("503"));
      HttpResponse<String> slowResponse = slow.get(GRACE.toSeconds(), TimeUnit.SECONDS);
      assertEquals("200 slow", slowResponse.statusCode() + " " + slowResponse.body(),
          path + ": the request in flight at SIGTERM must finish");
      assertTrue(process.waitFor(GRACE.toSeconds(), TimeUnit.SECONDS),
          path + ": the app must exit within its grace period");
      long tookMillis = Duration.ofNanos(System.nanoTime() - sigterm).toMillis();
      assertTrue(tookMillis < GRACE.toMillis(), path + ": exit " + tookMillis
          + " ms after SIGTERM, after the " + GRACE.toMillis() + " ms grace period");
      assertEquals(143, process.exitValue(), path + ": exit value after SIGTERM");
      String drained = find(output, "DRAINED ");
      assertTrue(drained != null && drained.startsWith("DRAINED clean=true")
          && drained.endsWith(" cut=0"), path + ": the drain must be clean, got " + drained);
      System.out.printf("consumer on the %s: %s; /hello 200, /readyz 200 then 503 after SIGTERM,"
          + " /slow 200 after SIGTERM, exit 143 %d ms after SIGTERM; %s%n",
          path, listening, tookMillis, drained);
      return listening;
    } catch (AssertionError | Exception e) {
      throw new AssertionError(path + " app failed; its output:\n  "
          + String.join("\n  ", Files.readAllLines(output)), e);
    } finally {
      process.destroyForcibly();
      Files.deleteIfExists(output);
    }
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  private static String find(Path output, String prefix) throws IOException {
    return Files.readAllLines(output, StandardCharsets.UTF_8).stream()
        .filter(line -> line.startsWith(prefix)).findFirst().orElse(null);
  }

  private static Path jar(Path target) throws IOException {
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(file -> file.getFileName().toString().endsWith(".jar")).findFirst()
          .orElseThrow(() -> new UncheckedIOException(new IOException("no jar in " + target)));
    }
  }
}

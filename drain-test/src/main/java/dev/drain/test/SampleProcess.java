package dev.drain.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A sample jar running in its own JVM: every line it prints is kept, and the port it announces
 * with {@code LISTENING port=N} is waited for.
 */
public final class SampleProcess {

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final CompletableFuture<List<String>> output = new CompletableFuture<>();
  private final int port;

  private SampleProcess(Process process, Duration startTimeout) throws Exception {
    this.process = process;
    CompletableFuture<Integer> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
          if (line.startsWith("LISTENING port=")) {
            listening.complete(Integer.parseInt(line.split("[= ]")[2]));
          }
        }
      } catch (IOException gone) {
        // the process ended
      }
      output.complete(lines);
      listening.completeExceptionally(new IllegalStateException("exited before listening"));
    }, "sample-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    this.port = listening.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts {@code java <jvmArgs> -jar <jar> <args>} with this JVM's {@code java} and waits until
   * it prints {@code LISTENING port=N}.
   *
   * @param jar the sample jar
   * @param jvmArgs options for the JVM
   * @param args the sample's arguments
   * @param stderr where the sample's standard error goes
   * @return the running sample
   * @throws Exception when it cannot start or does not listen within 30 s
   */
  public static SampleProcess start(Path jar, List<String> jvmArgs, List<String> args,
      ProcessBuilder.Redirect stderr) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    return new SampleProcess(new ProcessBuilder(command).redirectError(stderr).start(),
        Duration.ofSeconds(30));
  }

  /**
   * Returns the port the sample listens on.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * Returns the process.
   *
   * @return the process
   */
  public Process process() {
    return process;
  }

  /**
   * Waits until the sample's standard output ended (it exited) and returns all it printed.
   *
   * @param timeout how long to wait
   * @return every line
   * @throws Exception when the output did not end within {@code timeout}
   */
  public List<String> awaitOutput(Duration timeout) throws Exception {
    return output.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Returns what the sample printed so far, one entry a line.
   *
   * @return a live, thread-safe view
   */
  public List<String> lines() {
    return lines;
  }

  /**
   * Starts the sample, sends it SIGTERM as soon as it is ready (idle), and waits for it to exit:
   * the run of a plain application's shutdown with the JDK's default logging.
   *
   * @param jar the sample jar
   * @param args the sample's arguments
   * @return how it ended, with everything it printed on both streams
   * @throws Exception when it cannot start or does not exit within 30 s
   */
  public static Stopped sigtermWhenListening(Path jar, List<String> args) throws Exception {
    Path stderr = java.nio.file.Files.createTempFile("sample-stderr", ".txt");
    try {
      SampleProcess sample = start(jar, List.of(), args, ProcessBuilder.Redirect.to(stderr.toFile()));
      // Ready, not merely listening: a drain belongs to the shutdown of a ready instance (a
      // Spring application starts listening before it is ready, and then closes at once).
      java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpRequest ready = java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + sample.port() + "/readyz"))
          .timeout(Duration.ofSeconds(2)).build();
      org.awaitility.Awaitility.await("ready").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20)).ignoreExceptions()
          .until(() -> client.send(ready, java.net.http.HttpResponse.BodyHandlers.discarding())
              .statusCode() == 200);
      long sigterm = System.nanoTime();
      if (!sample.process().toHandle().destroy()) {
        throw new IllegalStateException("could not send SIGTERM");
      }
      if (!sample.process().waitFor(30, TimeUnit.SECONDS)) {
        sample.process().destroyForcibly();
        throw new IllegalStateException("the sample did not exit within 30 s of SIGTERM");
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
      return new Stopped(sample.process().exitValue(), millis,
          sample.awaitOutput(Duration.ofSeconds(5)),
          java.nio.file.Files.readAllLines(stderr, StandardCharsets.UTF_8));
    } finally {
      java.nio.file.Files.deleteIfExists(stderr);
    }
  }

  /**
   * How a sample ended after SIGTERM.
   *
   * @param exitCode the exit code (143 after SIGTERM)
   * @param millis from SIGTERM to exit
   * @param stdout its standard output, a line an entry
   * @param stderr its standard error, a line an entry
   */
  public record Stopped(int exitCode, long millis, List<String> stdout, List<String> stderr) {}
}

package dev.drain.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every packaged sample must show in its own JVM (the jar given by {@code -Dsample.jar}):
 * SIGTERM with an upload that cannot finish in time cuts it, lists it and exits before the grace
 * period; with the JDK's default logging the drain's own log lines reach the console on every
 * SIGTERM. A sample's {@code *IT} extends it and adds what only that sample has.
 */
public abstract class SampleProcessKit {

  private static final long MB = 1024 * 1024;
  /** The running sample of the current test, if any. */
  protected SampleProcess sample;

  /**
   * Returns the sample's jar.
   *
   * @return the path from {@code -Dsample.jar}
   */
  protected static Path sampleJar() {
    return Path.of(System.getProperty("sample.jar"));
  }

  /**
   * Sends the running sample SIGTERM and waits for it to exit with 143.
   *
   * @return milliseconds from SIGTERM to exit
   * @throws InterruptedException when interrupted
   */
  protected long sigtermAndWait() throws InterruptedException {
    long sigterm = System.nanoTime();
    Process process = sample.process();
    assertThat(process.toHandle().destroy()).isTrue();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(143);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
  }

  @AfterEach
  void kill() {
    if (sample != null) {
      sample.process().destroyForcibly();
    }
  }

  /**
   * Starts the packaged sample ({@code -Dsample.jar}) on a free port with extra arguments.
   *
   * @param drainArgs arguments after {@code --server.port=0}
   * @return the port
   * @throws Exception when it does not start
   */
  protected int start(String... drainArgs) throws Exception {
    List<String> args = new ArrayList<>(List.of("--server.port=0"));
    args.addAll(List.of(drainArgs));
    sample = SampleProcess.start(sampleJar(), List.of(), args,
        ProcessBuilder.Redirect.DISCARD);
    return sample.port();
  }

  @Test
  void anUploadThatCannotFinishIsCutListedAndTheProcessEndsBeforeTheGracePeriod()
      throws Exception {
    int port = start("--drain.grace-period=3s", "--drain.safety-margin=1s",
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

    long tookMillis = sigtermAndWait();
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
          sampleJar(),
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

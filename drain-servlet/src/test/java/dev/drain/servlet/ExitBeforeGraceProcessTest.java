package dev.drain.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.test.PatternBody;
import dev.drain.test.RawHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The process ends before the grace period on every server when the drain had to cut requests:
 * a real Jetty or Tomcat in a child JVM ({@link ServletChild}) gets a real SIGTERM while one
 * upload is still arriving at 1 MB/s (it cannot finish) and another stalled after 256 KB. The
 * drain reaches its deadline (grace period less safety margin), cuts both, and the process must
 * then exit with 143 before the grace period ends, that is before the platform would SIGKILL it,
 * with the other shutdown hooks run. This guards against two ways the exit overran it: HotSpot
 * waits up to 300 ms at exit for threads in native code (a server thread blocked on a socket), and
 * Tomcat's stop used to leave its threads blocked on the cut upload.
 *
 * <p>Timing bugs show intermittently, so each server is run {@code drain.process.rounds} times
 * (20 by default); the test fails at the first failing round and prints the SIGTERM-to-exit times.
 */
class ExitBeforeGraceProcessTest {

  private static final int ROUNDS = Integer.getInteger("drain.process.rounds", 20);
  private static final long GRACE_MS = 3000;
  private static final long MARGIN_MS = 1000;
  private static final long MB = 1024 * 1024;
  private static final long SLOW_LENGTH = 50 * MB;
  private static final long SLOW_RATE = MB;
  private static final long STALLED_LENGTH = 10 * MB;
  private static final int STALLED_SENT = 256 * 1024;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration UPLOADS_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(15);
  private static final Pattern BYTES_DONE = Pattern.compile("\"bytesDone\":(\\d+)");

  @ParameterizedTest
  @EnumSource(ServletServer.Kind.class)
  void theProcessEndsBeforeTheGracePeriodWithUploadsCutAndStalled(ServletServer.Kind kind)
      throws Exception {
    List<Long> tookMillis = new ArrayList<>();
    try {
      for (int round = 1; round <= ROUNDS; round++) {
        tookMillis.add(runRound(kind, round));
      }
    } finally {
      System.out.println(summary(kind, tookMillis));
    }
  }

  /** Runs one round; returns the milliseconds from SIGTERM to the child's exit. */
  private static long runRound(ServletServer.Kind kind, int round) throws Exception {
    try (Child child = Child.start(kind)) {
      try {
        return sigtermWithUploadsInFlight(child);
      } catch (AssertionError | Exception e) {
        throw new AssertionError(kind + " round " + round + " of " + ROUNDS + " failed: "
            + e.getMessage() + "\n" + child.describe(), e);
      }
    }
  }

  private static long sigtermWithUploadsInFlight(Child child) throws Exception {
    int port = child.awaitPort();
    try (RawHttp slow = startUpload(port, SLOW_LENGTH);
        RawHttp stalled = startUpload(port, STALLED_LENGTH)) {
      sendPacedInBackground(slow, SLOW_LENGTH);
      stalled.send(new PatternBody(STALLED_SENT, 0).readAllBytes());
      await("both uploads in flight with body bytes read").atMost(UPLOADS_TIMEOUT)
          .untilAsserted(() -> {
            String status = drainz(port);
            assertThat(status).contains("\"inflight\":2,");
            assertThat(bytesDone(status)).as("bytesDone in %s", status)
                .hasSize(2).allMatch(bytes -> bytes > 0);
          });

      long t0 = System.nanoTime();
      child.sigterm();
      child.awaitExit(EXIT_TIMEOUT);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(child.exitValue()).as("exit value after SIGTERM").isEqualTo(143);
      assertThat(took.toMillis())
          .as("SIGTERM to exit took %d ms; must be under the %d ms grace period",
              took.toMillis(), GRACE_MS)
          .isLessThan(GRACE_MS);
      assertOutput(child.allLines());
      return took.toMillis();
    }
  }

  private static void assertOutput(List<String> lines) {
    assertThat(lines).contains("DRAINED deadlineReached=true cut=2", "OTHER_HOOK_RAN");
    assertThat(lines).anyMatch(line -> line.startsWith("COORDINATOR_RETURNED "));
    assertThat(lines).anyMatch(line -> line.startsWith("STALL"));
    assertThat(lines).filteredOn(line -> line.startsWith("CUT "))
        .hasSize(2)
        .anyMatch(line -> line.contains(" of " + SLOW_LENGTH + " bytes)"))
        .anyMatch(line -> line.contains(" of " + STALLED_LENGTH + " bytes)"));
  }

  /** Opens a connection and sends the head of a {@code POST /upload} declaring {@code length}. */
  private static RawHttp startUpload(int port, long length) throws IOException {
    RawHttp upload = new RawHttp(port);
    try {
      upload.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n");
      return upload;
    } catch (IOException e) {
      upload.close();
      throw e;
    }
  }

  /** Sends the body at {@link #SLOW_RATE} from a daemon thread until it is complete or cut. */
  private static void sendPacedInBackground(RawHttp upload, long length) {
    Thread sender = new Thread(() -> {
      try {
        new PatternBody(length, SLOW_RATE).transferTo(upload.socket().getOutputStream());
      } catch (IOException cut) {
        // expected: the child cuts the upload and exits long before the body is complete
      }
    }, "slow-upload");
    sender.setDaemon(true);
    sender.start();
  }

  private static String drainz(int port) throws IOException {
    try (RawHttp http = new RawHttp(port)) {
      return http.get("/drainz").body();
    }
  }

  private static List<Long> bytesDone(String status) {
    List<Long> bytes = new ArrayList<>();
    Matcher matcher = BYTES_DONE.matcher(status);
    while (matcher.find()) {
      bytes.add(Long.parseLong(matcher.group(1)));
    }
    return bytes;
  }

  private static String summary(ServletServer.Kind kind, List<Long> tookMillis) {
    List<Long> sorted = tookMillis.stream().sorted().toList();
    int n = sorted.size();
    String times = n == 0 ? "min=- median=- max=-"
        : "min=" + sorted.get(0) + " median=" + median(sorted) + " max=" + sorted.get(n - 1);
    return "EXIT-BEFORE-GRACE " + kind + ": " + n + "/" + ROUNDS + " rounds, SIGTERM->exit "
        + times + " (grace " + GRACE_MS + " ms)";
  }

  private static long median(List<Long> sorted) {
    int n = sorted.size();
    return (sorted.get((n - 1) / 2) + sorted.get(n / 2)) / 2;
  }

  /** The child JVM: its stdout read line by line on a daemon thread, its stderr in a file. */
  private static final class Child implements AutoCloseable {

    /** Queued after the last line, when the child's stdout ends; compared by identity. */
    private static final String END = new String("<end of stdout>");

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private Child(Process process, Path stderr) {
      this.process = process;
      this.stderr = stderr;
      this.reader = new Thread(this::readStdout, "servlet-child-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(ServletServer.Kind kind) throws IOException {
      Path stderr = Files.createTempFile("servlet-child-" + kind, ".stderr");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          ServletChild.class.getName(), kind.name(), Long.toString(GRACE_MS),
          Long.toString(MARGIN_MS))
          .redirectError(stderr.toFile())
          .start();
      return new Child(process, stderr);
    }

    private void readStdout() {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          queue.add(line);
        }
      } catch (IOException ignored) {
        // the child is gone
      } finally {
        queue.add(END);
      }
    }

    /** Waits for the {@code PORT} line. */
    int awaitPort() throws InterruptedException {
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (true) {
        String line = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null || line == END) {
          throw new AssertionError("no PORT line within " + START_TIMEOUT.toSeconds() + " s");
        }
        lines.add(line);
        if (line.startsWith("PORT ")) {
          return Integer.parseInt(line.substring("PORT ".length()).trim());
        }
      }
    }

    /**
     * Sends SIGTERM. {@code Process.destroy()} sends it too, but also closes our end of the
     * child's stdout, and the test reads what the child prints while it drains and exits.
     */
    void sigterm() {
      assertThat(process.toHandle().destroy()).as("SIGTERM sent").isTrue();
    }

    void awaitExit(Duration timeout) throws Exception {
      try {
        process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("child still running " + timeout.toSeconds()
            + " s after SIGTERM", e);
      }
    }

    int exitValue() {
      return process.exitValue();
    }

    /** Everything the child printed; complete once it has exited. */
    List<String> allLines() throws InterruptedException {
      reader.join(5000);
      takeQueued();
      return List.copyOf(lines);
    }

    String describe() {
      takeQueued();
      return "child " + (process.isAlive() ? "still running" : "exited " + process.exitValue())
          + "; stdout: " + lines + "\nstderr (last 40 lines):\n" + stderrTail(40);
    }

    private void takeQueued() {
      List<String> taken = new ArrayList<>();
      queue.drainTo(taken);
      taken.stream().filter(line -> line != END).forEach(lines::add);
    }

    private String stderrTail(int count) {
      try {
        List<String> all = Files.readAllLines(stderr, StandardCharsets.ISO_8859_1);
        return String.join("\n", all.subList(Math.max(0, all.size() - count), all.size()));
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }

    @Override
    public void close() throws IOException {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      Files.deleteIfExists(stderr);
    }
  }
}

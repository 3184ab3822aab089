package dev.drain.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Spring Boot application with the starter exits before the grace period when a request runs
 * past the drain's deadline and ignores interrupts: a real SIGTERM to a child JVM ({@link
 * SpringExitChild}) on Tomcat, Jetty and Reactor Netty. After the coordinator gives up on the
 * request, nothing may wait for it again (Spring Boot's graceful-shutdown phase, a blocking
 * server stop): the process must be gone before the platform's SIGKILL, with the request
 * reported cut.
 *
 * <p>{@code -Ddrain.spring.process.rounds=20} runs each server 20 times (2 in the build); the test fails
 * at the first failing round and prints the SIGTERM-to-exit times.
 */
class SpringExitBeforeGraceProcessTest {

  /** Each round starts a Spring Boot JVM: 2 in the build, not the servlet tests' 5. */
  private static final int ROUNDS = Integer.getInteger("drain.spring.process.rounds", 2);
  private static final long GRACE_MS = 4000;
  private static final long MARGIN_MS = 1000;
  private static final String END = "\u0000end";

  @ParameterizedTest
  @ValueSource(strings = {"TOMCAT", "JETTY", "NETTY"})
  void theProcessExitsBeforeTheGracePeriodWithTheRequestCut(String kind) throws Exception {
    // -Ddrain.spring.process.servers=NETTY measures one server alone.
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getProperty("drain.spring.process.servers", kind).contains(kind));
    List<Long> took = new ArrayList<>();
    try {
      for (int round = 1; round <= ROUNDS; round++) {
        took.add(round(kind, round));
      }
    } finally {
      System.out.println("SPRING EXIT " + kind + " grace " + GRACE_MS + " ms, SIGTERM to exit ms: "
          + took + (took.isEmpty() ? "" : " max " + took.stream().mapToLong(t -> t).max()
              .getAsLong()));
    }
  }

  private static long round(String kind, int round) throws Exception {
    Path stderr = Files.createTempFile("spring-child-" + kind, ".stderr");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        SpringExitChild.class.getName(), kind, Long.toString(GRACE_MS), Long.toString(MARGIN_MS))
        .redirectError(stderr.toFile()).start();
    BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    List<String> lines = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          queue.add(line);
        }
      } catch (IOException gone) {
        // the child is gone
      } finally {
        queue.add(END);
      }
    }, "spring-child-stdout");
    reader.setDaemon(true);
    reader.start();
    try (Socket stuck = new Socket()) {
      int port = Integer.parseInt(await(queue, lines, "PORT ", Duration.ofSeconds(60))
          .substring("PORT ".length()).trim());
      stuck.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
      OutputStream out = stuck.getOutputStream();
      out.write("GET /stuck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await(queue, lines, "STUCK", Duration.ofSeconds(10));

      long t0 = System.nanoTime();
      assertThat(process.toHandle().destroy()).as("SIGTERM sent").isTrue();
      boolean exited = process.waitFor(GRACE_MS + 10_000, TimeUnit.MILLISECONDS);
      long tookMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
      reader.join(5000);
      queue.drainTo(lines);
      String context = kind + " round " + round + ": " + lines.stream()
          .filter(l -> !l.equals(END)).toList() + "\nstderr:\n" + tail(stderr);
      assertThat(exited).as("exited within grace + 10 s; %s", context).isTrue();
      assertThat(tookMs).as("SIGTERM to exit (ms), grace %d ms; %s", GRACE_MS, context)
          .isLessThan(GRACE_MS);
      assertThat(lines).as(context).contains("DRAINED deadlineReached=true cut=1");
      return tookMs;
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      Files.deleteIfExists(stderr);
    }
  }

  private static String await(BlockingQueue<String> queue, List<String> lines, String prefix,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String line = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || line.equals(END)) {
        throw new AssertionError("no " + prefix.trim() + " line within " + timeout + ": " + lines);
      }
      lines.add(line);
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  private static String tail(Path file) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}

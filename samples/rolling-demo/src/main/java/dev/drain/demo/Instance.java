package dev.drain.demo;

import dev.drain.test.SampleProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.locks.LockSupport;

/** One instance of the sample service: a child JVM on a port it chose. */
final class Instance {

  private static final Pattern DRAIN_DONE =
      Pattern.compile("^DRAIN done .*uploadsAdmitted=(\\d+) refused=(\\d+)");

  final String name;
  final Process process;
  final int port;
  private final SampleProcess sample;
  private final LatencyRelay relay;

  private Instance(String name, SampleProcess sample, java.time.Duration latency)
      throws IOException {
    this.name = name;
    this.sample = sample;
    this.process = sample.process();
    this.port = sample.port();
    this.relay = latency.isZero() ? null : new LatencyRelay(port, latency);
  }

  /** The port nginx routes to: the latency relay's, or the instance's own without one. */
  int routePort() {
    return relay == null ? port : relay.port();
  }

  /**
   * Closes the relay, if any.
   *
   * @return the connections it had to reset after the instance stopped accepting
   */
  long closeRelay() {
    if (relay == null) {
      return 0;
    }
    relay.close();
    return relay.refusedAfterAccept();
  }

  /**
   * What the exited instance's drain reported: uploads admitted while draining and requests
   * refused.
   *
   * @return {admitted, refused}; null when it printed no drain result (the baseline, or an
   *     instance that died without one)
   */
  long[] drainCounts() throws Exception {
    for (String line : sample.awaitOutput(java.time.Duration.ofSeconds(10))) {
      Matcher m = DRAIN_DONE.matcher(line);
      if (m.find()) {
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
      }
    }
    return null;
  }

  static Instance start(String name, Path sampleJar, Path logDir, List<String> args,
      java.time.Duration latency) throws Exception {
    List<String> sampleArgs = new ArrayList<>(List.of("--server.port=0",
        "--server.address=127.0.0.1"));
    sampleArgs.addAll(args);
    return new Instance(name, SampleProcess.start(sampleJar,
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), sampleArgs,
        ProcessBuilder.Redirect.to(logDir.resolve(name + ".stderr.log").toFile())), latency);
  }

  /** Waits until the instance answers its readiness probe with 200. */
  void awaitReady(long timeoutMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      try {
        if (RawClient.get(port, "/readyz").status() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // keep polling
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    throw new IllegalStateException(name + " not ready in " + timeoutMillis + " ms");
  }

  void sigterm() {
    process.toHandle().destroy();
  }

  /** Waits for the exit until the grace period ends, then SIGKILLs, like the kubelet. */
  boolean awaitExitOrKill(long graceMillis, long sinceNanos) throws InterruptedException {
    long left = graceMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    if (process.waitFor(Math.max(0, left), TimeUnit.MILLISECONDS)) {
      return false;
    }
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    return true;
  }

  static void waitForPort(int port, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
    throw new IllegalStateException("nothing listens on port " + port);
  }
}

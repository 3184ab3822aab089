package dev.drain.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** One instance of the sample service: a child JVM on a port it chose. */
final class Instance {

  final String name;
  final Process process;
  final int port;
  final List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> listening = new CompletableFuture<>();
  volatile boolean sigkilled;

  private Instance(String name, Process process) throws Exception {
    this.name = name;
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          output.add(line);
          if (line.startsWith("LISTENING port=")) {
            listening.complete(Integer.parseInt(line.split("[= ]")[2]));
          }
        }
      } catch (IOException ignored) {
        // the instance is gone
      }
      listening.completeExceptionally(new IllegalStateException(name + " exited before listening"));
    }, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
    this.port = listening.get(30, TimeUnit.SECONDS);
  }

  static Instance start(String name, Path sampleJar, Path logDir, List<String> args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", sampleJar.toString(),
        "--server.port=0", "--server.address=127.0.0.1"));
    command.addAll(args);
    Process process = new ProcessBuilder(command)
        .redirectError(logDir.resolve(name + ".stderr.log").toFile())
        .start();
    return new Instance(name, process);
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
    sigkilled = true;
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

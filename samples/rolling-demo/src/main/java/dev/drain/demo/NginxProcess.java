package dev.drain.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One private nginx (Debian's binary, its own prefix and loopback port) whose whole
 * configuration the caller writes, stopped the ways its platform stops it: {@link #quit()}
 * (SIGQUIT, graceful), {@link #terminate()} (SIGTERM, fast), {@link #kill()}.
 */
final class NginxProcess implements AutoCloseable {

  final String name;
  final int port;
  private final Path prefix;
  private Process process;

  NginxProcess(String name, Path prefix, int port) throws IOException {
    this.name = name;
    this.prefix = prefix.toAbsolutePath();
    this.port = port;
    for (String dir : List.of("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi",
        "tmp/scgi")) {
      Files.createDirectories(this.prefix.resolve(dir));
    }
    try (var paths = Files.walk(this.prefix)) {
      for (Path p : paths.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
      }
    }
  }

  /**
   * The lines every configuration starts with: this prefix's pid and logs. Under root, nginx's
   * workers would run as an unprivileged user that cannot reach a prefix inside a private
   * directory (a CI checkout under {@code mktemp -d}, mode 700): buffered request bodies then
   * fail with 500. They run as root too; as any other user nginx keeps it.
   */
  String preamble() {
    return """
        %2$s
        worker_processes 1;
        daemon off;
        pid %1$s/nginx.pid;
        error_log %1$s/logs/error.log warn;
        events { worker_connections 4096; }
        """.formatted(prefix, "root".equals(System.getProperty("user.name")) ? "user root;" : "");
  }

  /** The temp paths of an http block. */
  String httpPaths() {
    return """
          client_body_temp_path %1$s/tmp/body;
          proxy_temp_path %1$s/tmp/proxy;
          fastcgi_temp_path %1$s/tmp/fastcgi;
          uwsgi_temp_path %1$s/tmp/uwsgi;
          scgi_temp_path %1$s/tmp/scgi;
          log_format lab '$msec $request_method $uri $status $upstream_addr $upstream_status $request_time';
          access_log %1$s/logs/access.log lab;
        """.formatted(prefix);
  }

  /** Writes {@code config} and starts nginx, or reloads it (SIGHUP: old workers finish). */
  void apply(String config) throws IOException, InterruptedException {
    Files.writeString(prefix.resolve("nginx.conf"), config);
    if (process == null) {
      process = new ProcessBuilder(Nginx.binary(), "-p", prefix.toString(), "-c", "nginx.conf")
          .redirectErrorStream(true)
          .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
          .start();
      Instance.waitForPort(port, 10_000);
      // The port answering is not proof that this nginx serves it: in a clean-clone build a
      // sample instance held the port, nginx exited on "Address already in use", and the
      // first reload failed on the missing pid file. The pid file names this nginx's master.
      awaitPidFile(10_000);
    } else {
      signal("reload");
    }
  }

  private void awaitPidFile(long timeoutMillis) throws IOException {
    Path pidFile = prefix.resolve("nginx.pid");
    String pid = Long.toString(process.pid());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!(Files.exists(pidFile) && Files.readString(pidFile).trim().equals(pid))) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new IllegalStateException(name + ": nginx wrote no pid file " + pidFile
            + " within " + timeoutMillis + " ms (alive: " + process.isAlive() + ")");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  /** SIGQUIT: stop accepting, finish what is in flight, then exit. */
  void quit() throws IOException, InterruptedException {
    signal("quit");
  }

  /** SIGTERM: exit at once, cutting what is in flight. */
  void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL to the master and its workers, as a VM's or pod's end does. */
  void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Waits for the exit up to {@code millis}; returns whether nginx exited. */
  boolean awaitExit(long millis) throws InterruptedException {
    return process.waitFor(millis, TimeUnit.MILLISECONDS);
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Nginx.binary(), "-p", prefix.toString(), "-c", "nginx.conf",
        "-s", signal).redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(name + ": nginx -s " + signal + " failed: "
          + new String(p.getInputStream().readAllBytes()));
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.toHandle().destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}

package dev.drain.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A private nginx (Debian's binary, its own prefix, a loopback port) configured like a Kong or
 * ingress hop: upstream keep-alive pool, HTTP/1.1 to the upstream, request bodies streamed
 * ({@code proxy_request_buffering off}), no body size limit. With {@link Retry#REFUSALS} it
 * buffers request bodies and passes a {@code 503} to the next upstream, POSTs included: the
 * configuration that turns the library's refusals (nothing processed) into retries.
 */
final class Nginx implements AutoCloseable {

  /** What nginx passes to the next upstream. */
  enum Retry {
    /** nginx's default: connection errors and timeouts; bodies streamed. */
    ERRORS("proxy_request_buffering off;\n      proxy_next_upstream error timeout;"),
    /** Also a 503, for any method: bodies buffered so that nginx can send them again. */
    REFUSALS("proxy_request_buffering on;\n"
        + "      proxy_next_upstream error timeout http_503 non_idempotent;");

    final String directives;

    Retry(String directives) {
      this.directives = directives;
    }
  }

  private final Path prefix;
  private final int port;
  private final Retry retry;
  private Process process;

  Nginx(Path prefix, int port) throws IOException {
    this(prefix, port, Retry.ERRORS);
  }

  Nginx(Path prefix, int port, Retry retry) throws IOException {
    this.prefix = prefix.toAbsolutePath();
    this.port = port;
    this.retry = retry;
    for (String dir : List.of("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi",
        "tmp/scgi")) {
      Files.createDirectories(this.prefix.resolve(dir));
    }
    // Workers may run as an unprivileged user when the master is root.
    try (var paths = Files.walk(this.prefix)) {
      for (Path p : paths.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
      }
    }
  }

  static String binary() {
    for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("nginx not found: run scripts/ensure-nginx.sh or "
        + "apt-get install -y nginx-light");
  }

  int port() {
    return port;
  }

  Path accessLog() {
    return prefix.resolve("logs/access.log");
  }

  /** Writes the config for these upstream ports and starts nginx, or reloads it (SIGHUP). */
  void route(List<Integer> upstreams) throws IOException, InterruptedException {
    route(upstreams, List.of());
  }

  /** As {@link #route(List)}, with servers nginx uses only when the others failed. */
  void route(List<Integer> upstreams, List<Integer> backups)
      throws IOException, InterruptedException {
    Files.writeString(prefix.resolve("nginx.conf"), config(upstreams, backups));
    if (process == null) {
      process = new ProcessBuilder(binary(), "-p", prefix.toString(), "-c", "nginx.conf")
          .redirectErrorStream(true)
          .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
          .start();
      Instance.waitForPort(port, 10_000);
    } else {
      Process reload = new ProcessBuilder(binary(), "-p", prefix.toString(), "-c", "nginx.conf",
          "-s", "reload").redirectErrorStream(true).start();
      if (!reload.waitFor(10, TimeUnit.SECONDS) || reload.exitValue() != 0) {
        throw new IllegalStateException("nginx reload failed: "
            + new String(reload.getInputStream().readAllBytes()));
      }
    }
  }

  private String config(List<Integer> upstreams, List<Integer> backups) {
    String servers = java.util.stream.Stream.concat(
            upstreams.stream().map(p -> "    server 127.0.0.1:" + p + ";"),
            backups.stream().map(p -> "    server 127.0.0.1:" + p + " backup;"))
        .collect(Collectors.joining("\n"));
    return """
        %5$s
        worker_processes 1;
        daemon off;
        pid %1$s/nginx.pid;
        error_log %1$s/logs/error.log warn;
        events { worker_connections 4096; }
        http {
          log_format demo '$msec $request_method $uri $status $upstream_addr $upstream_status $request_time';
          access_log %1$s/logs/access.log demo;
          client_body_temp_path %1$s/tmp/body;
          proxy_temp_path %1$s/tmp/proxy;
          fastcgi_temp_path %1$s/tmp/fastcgi;
          uwsgi_temp_path %1$s/tmp/uwsgi;
          scgi_temp_path %1$s/tmp/scgi;
          upstream app {
        %2$s
            keepalive 32;
            keepalive_timeout 60s;
          }
          server {
            listen 127.0.0.1:%3$d;
            client_max_body_size 0;
            location / {
              proxy_pass http://app;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              %4$s
              proxy_connect_timeout 2s;
            }
          }
        }
        """.formatted(prefix, servers, port, retry.directives, workerUser());
  }

  /**
   * Under root, nginx's workers would run as an unprivileged user that cannot reach a prefix
   * inside a private directory (a CI checkout under {@code mktemp -d}, mode 700): buffered
   * request bodies then fail with 500. They run as root too; as any other user nginx keeps it.
   */
  private static String workerUser() {
    return "root".equals(System.getProperty("user.name")) ? "user root;" : "";
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.toHandle().destroy(); // SIGTERM: fast shutdown of a tool we own
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}

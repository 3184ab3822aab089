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
 * ({@code proxy_request_buffering off}), no body size limit.
 */
final class Nginx implements AutoCloseable {

  private final Path prefix;
  private final int port;
  private Process process;

  Nginx(Path prefix, int port) throws IOException {
    this.prefix = prefix.toAbsolutePath();
    this.port = port;
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
    Files.writeString(prefix.resolve("nginx.conf"), config(upstreams));
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

  private String config(List<Integer> upstreams) {
    String servers = upstreams.stream().map(p -> "    server 127.0.0.1:" + p + ";")
        .collect(Collectors.joining("\n"));
    return """
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
              proxy_request_buffering off;
              proxy_next_upstream error timeout;
              proxy_connect_timeout 2s;
            }
          }
        }
        """.formatted(prefix, servers, port);
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

package dev.drain.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
  private final Retry retry;
  private final NginxProcess process;

  Nginx(Path prefix, int port) throws IOException {
    this(prefix, port, Retry.ERRORS);
  }

  Nginx(Path prefix, int port, Retry retry) throws IOException {
    this.prefix = prefix.toAbsolutePath();
    this.retry = retry;
    this.process = new NginxProcess("nginx", prefix, port);
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
    return process.port;
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
    process.apply(config(upstreams, backups));
  }

  private String config(List<Integer> upstreams, List<Integer> backups) {
    String servers = java.util.stream.Stream.concat(
            upstreams.stream().map(p -> "    server 127.0.0.1:" + p + ";"),
            backups.stream().map(p -> "    server 127.0.0.1:" + p + " backup;"))
        .collect(Collectors.joining("\n"));
    return process.preamble() + "http {\n" + process.httpPaths() + """
          upstream app {
        %s
            keepalive 32;
            keepalive_timeout 60s;
          }
          server {
            listen 127.0.0.1:%d;
            client_max_body_size 0;
            location / {
              proxy_pass http://app;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              %s
              proxy_connect_timeout 2s;
            }
          }
        }
        """.formatted(servers, process.port, retry.directives);
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}

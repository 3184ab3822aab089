package dev.drain.core;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * A tiny plain application for {@link ShutdownCoordinatorProcessTest}: the JDK's HTTP server, a
 * drain and the coordinator's shutdown hook. It prints what it does on stdout, one line each.
 *
 * <p>Arguments: propagation delay in ms, grace period in ms.
 */
public final class CoordinatorChild {

  private CoordinatorChild() {}

  public static void main(String[] args) throws IOException {
    Duration delay = Duration.ofMillis(Long.parseLong(args[0]));
    Duration grace = Duration.ofMillis(Long.parseLong(args[1]));
    Drain drain = Drain.builder()
        .config(DrainConfig.builder().propagationDelay(delay).quietPeriod(Duration.ZERO)
            .gracePeriod(grace).safetyMargin(Duration.ofMillis(500)).build())
        .listener(event -> {
          if (event instanceof DrainEvent.StateChanged changed) {
            say(changed.to() + " " + System.currentTimeMillis());
          } else if (event instanceof DrainEvent.StopAccepting) {
            say("STOP_ACCEPTING " + System.currentTimeMillis());
          }
        })
        .build();
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/readyz", exchange -> {
      boolean ready = drain.isReady();
      respond(exchange, ready ? 200 : 503, ready ? "ready" : "draining");
    });
    server.createContext("/slow", exchange -> {
      long millis = Long.parseLong(exchange.getRequestURI().getQuery().substring("ms=".length()));
      try (Inflight request = drain.begin(RequestInfo.bodyless("GET", "/slow"))) {
        say("BEGIN " + request.tracked());
        try {
          Thread.sleep(millis); // the simulated work of a slow request
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        respond(exchange, 200, "slow done");
      }
      say("END");
    });
    ShutdownCoordinator.install(drain, new ServerControl() {
      @Override
      public void stop(Duration remaining) {
        server.stop(0);
        say("SERVER_STOPPED " + System.currentTimeMillis());
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> say("OTHER_HOOK_RAN")));
    server.start();
    drain.markReady();
    say("PORT " + server.getAddress().getPort());
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}

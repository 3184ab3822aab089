package dev.drain.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drain.core.DrainConfig;
import dev.drain.core.DrainResult;
import dev.drain.test.RawHttp;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that sent half a request head and went silent does not hold the server's stop after
 * a clean drain: the head gets a short chance to complete, then its connection is closed, so the
 * stop ends long before the budget (8 s here) instead of at it.
 */
class HalfHeadStopTest {

  @ParameterizedTest
  @EnumSource(ServletServer.Kind.class)
  void aSilentHalfHeadDoesNotHoldTheStop(ServletServer.Kind kind) throws Exception {
    DrainConfig config = DrainConfig.builder().gracePeriod(Duration.ofSeconds(10))
        .safetyMargin(Duration.ofSeconds(2)).propagationDelay(Duration.ZERO)
        .quietPeriod(Duration.ZERO).build();
    try (ServletServer server = ServletServer.start(kind, config,
            new KitServlets(() -> 0).byPath());
        RawHttp slowloris = new RawHttp(server.port());
        RawHttp other = new RawHttp(server.port())) {
      slowloris.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ");
      // A whole request on another connection: the server has read what arrived before it.
      assertThat(other.get("/hello").body()).isEqualTo("hello");

      long start = System.nanoTime();
      DrainResult result = server.coordinator().shutdown("test");
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(result.deadlineReached()).isFalse();
      assertThat(took).as("drain and stop with a silent half head").isLessThan(
          Duration.ofSeconds(3));
      assertThat(closedWithin(slowloris.socket(), 2000)).as("the half head's connection closed")
          .isTrue();
      assertThat(server.drain().inflight()).isZero();
    }
  }

  /** Whether the server closed the connection within {@code millis}, whatever it sent first. */
  private static boolean closedWithin(java.net.Socket socket, int millis) throws Exception {
    socket.setSoTimeout(millis);
    try {
      while (socket.getInputStream().read() >= 0) {
        // a refusal the server may send before it closes
      }
      return true;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }
}

package dev.drain.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainResult;
import dev.drain.core.DrainState;
import dev.drain.test.KitServer;
import dev.drain.test.RawHttp;
import dev.drain.test.RawHttp2;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * What users of drain-netty met that the behaviour kit does not walk: split heads on pooled
 * connections, a connection accepted as the listener closed, pipelining while draining, a
 * refused upload still arriving at the stop, HTTP/2 streams answered before their request
 * ended, the application on its own executor, and event loops shut down under the drain. Each
 * runs {@code drain.kit.rounds} rounds on real connections.
 */
class NettyAdversityTest {

  private static final int ROUNDS = Integer.getInteger("drain.kit.rounds", 20);

  private interface Round {
    void run(int round) throws Exception;
  }

  private static void rounds(Round round) throws Exception {
    for (int i = 0; i < ROUNDS; i++) {
      round.run(i);
    }
  }

  private static DrainConfig config(Duration delay, Duration grace) {
    return DrainConfig.builder().propagationDelay(delay).quietPeriod(Duration.ZERO)
        .gracePeriod(grace).safetyMargin(Duration.ofSeconds(1)).build();
  }

  private static CompletableFuture<DrainResult> shutdown(AdversityServer server) {
    return CompletableFuture.supplyAsync(() -> server.coordinator.shutdown("test"));
  }

  /**
   * Item 1: the rest of a head split across segments arrives after StopAccepting: at once, or
   * after more than {@link DrainConnections#HEAD_WAIT} (a head still arriving is never closed as
   * idle; it holds no request, so not the drain).
   */
  @Test
  void aHeadPartlyReceivedAtStopAcceptingIsServed() throws Exception {
    rounds(round -> {
      try (AdversityServer server = new AdversityServer(
              config(Duration.ZERO, Duration.ofSeconds(5)), null, false);
          RawHttp holder = new RawHttp(server.port);
          RawHttp pooled = new RawHttp(server.port);
          RawHttp idle = new RawHttp(server.port)) {
        assertThat(pooled.get("/hello").status()).isEqualTo(200);
        assertThat(idle.get("/hello").status()).isEqualTo(200);
        holder.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n");
        await().atMost(5, TimeUnit.SECONDS).until(() -> server.drain.inflight() == 1);
        String head = "GET /hello HTTP/1.1\r\nHost: x\r\nCookie: session="
            + "a".repeat(3000) + "\r\nAccept: */*\r\n\r\n";
        // at a line boundary (the codec has consumed whole lines) or inside a line
        int split = head.indexOf("Cookie") + (round % 3 == 1 ? 1000 : 0);
        pooled.send(head.substring(0, split));
        await().atMost(5, TimeUnit.SECONDS).until(() -> receiving(server));

        CompletableFuture<DrainResult> result = shutdown(server);
        assertThat(server.stoppedAccepting.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(idle.closedWithin(3000)).as("the idle connection is closed").isTrue();
        server.settleLoop();
        if (round % 3 == 2) {
          // a slow client: the rest comes well after the connection's wait for a head
          TimeUnit.MILLISECONDS.sleep(DrainConnections.HEAD_WAIT.toMillis() + 300);
        }
        pooled.send(head.substring(split));

        RawHttp.Response response = pooled.read();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.connectionClose()).isTrue();
        assertThat(holder.read().status()).isEqualTo(200);
        assertThat(result.get(10, TimeUnit.SECONDS).clean()).isTrue();
        assertThat(server.drain.inflight()).isZero();
      }
    });
  }

  private static boolean receiving(AdversityServer server) throws Exception {
    return server.workers.next().submit(() -> server.nettyDrain.connections().http1().stream()
        .anyMatch(h -> h.noRequest() && h.codecState() == CodecState.RECEIVING))
        .get(5, TimeUnit.SECONDS);
  }

  /** Item 2: a connection registered after the walk of StopAccepting is ended too. */
  @Test
  void aConnectionAcceptedAfterStopAcceptingIsClosedWhenSilentAndServedWhenNot()
      throws Exception {
    rounds(round -> {
      try (AdversityServer server = new AdversityServer(
              config(Duration.ZERO, Duration.ofSeconds(6)), null, true);
          RawHttp holder = new RawHttp(server.port)) {
        holder.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: x\r\n\r\n");
        await().atMost(5, TimeUnit.SECONDS).until(() -> server.drain.inflight() == 1);
        CompletableFuture<DrainResult> result = shutdown(server);
        assertThat(server.stoppedAccepting.await(5, TimeUnit.SECONDS)).isTrue();
        try (RawHttp silent = new RawHttp(server.port); RawHttp late = new RawHttp(server.port)) {
          RawHttp.Response response = late.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read();
          assertThat(response.status()).isEqualTo(200);
          assertThat(response.connectionClose()).isTrue();
          assertThat(silent.closedWithin(
              (int) DrainConnections.HEAD_WAIT.toMillis() + 1200))
              .as("a silent connection accepted after StopAccepting is closed, not held open"
                  + " to the end of the drain").isTrue();
          assertThat(server.drain.state()).isEqualTo(DrainState.DRAINING);
        }
        assertThat(holder.read().status()).isEqualTo(200);
        assertThat(result.get(10, TimeUnit.SECONDS).clean()).isTrue();
      }
    });
  }

  /** Item 3: GET, POST, GET in one write during the propagation delay: three answers. */
  @Test
  void pipelinedRequestsDuringTheDelayAreEachAnswered() throws Exception {
    rounds(round -> {
      try (AdversityServer server = new AdversityServer(
              config(Duration.ofSeconds(2), Duration.ofSeconds(6)), null, false);
          RawHttp client = new RawHttp(server.port)) {
        assertThat(client.get("/hello").status()).isEqualTo(200);
        CompletableFuture<DrainResult> result = shutdown(server);
        await().atMost(5, TimeUnit.SECONDS).until(server.drain::isDraining);
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        for (int i = 0; i < 3; i++) {
          RawHttp.Response response = client.read();
          assertThat(response.status() == 200 || (response.status() == 503
              && "not-processed".equals(response.headers().get("drain-refused"))))
              .as("answer %d: %s", i, response).isTrue();
          assertThat(response.connectionClose()).as("only the last closes").isEqualTo(i == 2);
        }
        assertThat(client.closedWithin(3000)).isTrue();
        assertThat(result.get(10, TimeUnit.SECONDS).clean()).isTrue();
        assertThat(server.drain.inflight()).isZero();
      }
    });
  }

  /** Item 4: the stop waits for a refused upload's client instead of resetting it. */
  @Test
  void theStopDoesNotResetARefusedUploadStillArriving() throws Exception {
    rounds(round -> {
      try (AdversityServer server = new AdversityServer(
              config(Duration.ZERO, Duration.ofSeconds(6)), null, false);
          RawHttp client = new RawHttp(server.port)) {
        client.send("GET /slow?ms=600 HTTP/1.1\r\nHost: x\r\n\r\n");
        await().atMost(5, TimeUnit.SECONDS).until(() -> server.drain.inflight() == 1);
        CompletableFuture<DrainResult> result = shutdown(server);
        assertThat(server.stoppedAccepting.await(5, TimeUnit.SECONDS)).isTrue();
        client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n");
        AtomicBoolean sending = new AtomicBoolean(true);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
          byte[] chunk = new byte[4096];
          try {
            while (sending.get()) {
              client.send(chunk);
              Thread.sleep(5); // a client streaming its body at ~800 KB/s
            }
          } catch (Exception stopped) {
            // the connection ended under the writer
          }
        });
        try {
          // the drain is over; the stop waits for this client while its body still arrives
          assertThat(server.drain.completion().toCompletableFuture().get(10, TimeUnit.SECONDS)
              .clean()).isTrue();
          await().during(Duration.ofMillis(400)).atMost(3, TimeUnit.SECONDS)
              .until(() -> server.nettyDrain.openConnections() == 1);
          assertThat(client.read().status()).isEqualTo(200);
          RawHttp.Response refused = client.read();
          assertThat(refused.status()).isEqualTo(503);
          assertThat(refused.headers()).containsKey("retry-after")
              .containsEntry("drain-refused", "not-processed");
        } finally {
          sending.set(false);
          writer.get(5, TimeUnit.SECONDS);
        }
        assertThat(client.closedWithin(3000)).isTrue();
        client.close();
        assertThat(result).as("the stop returns once the client closed").succeedsWithin(
            Duration.ofSeconds(3));
        assertThat(server.drain.inflight()).isZero();
      }
    });
  }

  /** Item 5: a stream answered before its request body ended does not hold the stop. */
  @Test
  void anHttp2StreamAnsweredBeforeItsBodyEndedDoesNotHoldTheStop() throws Exception {
    rounds(round -> {
      try (KitServer server = NettyKitServer.start(config(Duration.ZERO, Duration.ofSeconds(6)));
          RawHttp2 client = RawHttp2.connect(server.port())) {
        Map.Entry<Integer, CompletableFuture<RawHttp2.Response>> stream =
            client.postOpen("/hello", new byte[100]);
        assertThat(stream.getValue().get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
        long start = System.nanoTime();
        DrainResult result = server.coordinator().shutdown("test");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(result.clean()).isTrue();
        assertThat(millis).as("the stop ends the half-closed stream, not the budget")
            .isLessThan(3000);
        assertThat(client.resets()).contains(new RawHttp2.Reset(stream.getKey(), 0));
        assertThat(client.closed()).succeedsWithin(Duration.ofSeconds(3));
      }
    });
  }

  /** Item 6: a client that resets after the final GOAWAY leaves no exception in the log. */
  @Test
  void aResetAfterTheFinalGoAwayLogsNoException() throws Exception {
    List<LogRecord> records = captureNettyExceptions();
    try {
      rounds(round -> {
        try (KitServer server =
            NettyKitServer.start(config(Duration.ZERO, Duration.ofSeconds(6)))) {
          RawHttp2 client = RawHttp2.connect(server.port());
          CompletableFuture<RawHttp2.Response> slow = client.get("/slow?ms=5000");
          await().atMost(5, TimeUnit.SECONDS).until(() -> server.drain().inflight() == 1);
          CompletableFuture<DrainResult> result =
              CompletableFuture.supplyAsync(() -> server.coordinator().shutdown("test"));
          await().atMost(5, TimeUnit.SECONDS).until(() -> client.goAways().size() == 2);
          resetConnection(client);
          assertThat(slow).failsWithin(Duration.ofSeconds(5));
          DrainResult drained = result.get(10, TimeUnit.SECONDS);
          assertThat(drained.clean()).as("the reset stream is listed as cut").isFalse();
          assertThat(drained.cutWithoutBody()).isEqualTo(1);
          assertThat(server.drain().inflight()).isZero();
        }
      });
      assertThat(records).as("exceptions logged by Netty")
          .extracting(record -> record.getMessage() + ": " + record.getThrown()).isEmpty();
    } finally {
      Logger.getLogger("io.netty").removeHandler(CAPTURE.get());
    }
  }

  private static void resetConnection(RawHttp2 client) throws Exception {
    java.lang.reflect.Field field = RawHttp2.class.getDeclaredField("socket");
    field.setAccessible(true);
    java.net.Socket socket = (java.net.Socket) field.get(client);
    socket.setSoLinger(true, 0);
    socket.close();
  }

  /** Item 8: the application on its own executor; the handler's state stays on the loop. */
  @Test
  void aRequestEndsOnTheEventLoopWhenTheApplicationRunsOnItsOwnExecutor() throws Exception {
    rounds(round -> {
      DefaultEventExecutorGroup app = new DefaultEventExecutorGroup(1);
      try (AdversityServer server = new AdversityServer(
              config(Duration.ofMillis(1500), Duration.ofSeconds(6)), app, false);
          RawHttp client = new RawHttp(server.port)) {
        CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
        server.drain.addListener(event -> {
          if (event instanceof DrainEvent.Drained) {
            // the last request's end completes the drain on the thread that ended it
            onLoop.complete(server.workers.next().inEventLoop());
          }
        });
        client.send("GET /slow?ms=2500 HTTP/1.1\r\nHost: x\r\n\r\n");
        await().atMost(5, TimeUnit.SECONDS).until(() -> server.drain.inflight() == 1);
        CompletableFuture<DrainResult> result = shutdown(server);
        // during the delay: clients that close as soon as they have their answer; the end of
        // the write reaches the handler after the close, from the application's executor
        for (int i = 0; i < 20; i++) {
          try (RawHttp quick = new RawHttp(server.port)) {
            assertThat(quick.get("/hello").status()).isEqualTo(200);
          }
        }
        assertThat(client.read().status()).isEqualTo(200);
        assertThat(onLoop.get(5, TimeUnit.SECONDS)).as("ended on the event loop").isTrue();
        assertThat(result.get(10, TimeUnit.SECONDS).clean())
            .as("answered requests are not cut").isTrue();
      } finally {
        app.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
    });
  }

  /**
   * Item 9: event loops shut down under the drain (main's {@code finally} after {@code
   * closeFuture().sync()}) cut an upload: the result lists it and one warning names the cause.
   */
  @Test
  void eventLoopsShutDownDuringTheDrainCutAnUploadAndSaySo() throws Exception {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel() == Level.WARNING && record.getMessage().contains("event loops")) {
          warnings.add(record.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger drainLog = Logger.getLogger("dev.drain");
    drainLog.addHandler(capture);
    try {
      rounds(round -> {
        warnings.clear();
        try (AdversityServer server = new AdversityServer(
                config(Duration.ZERO, Duration.ofSeconds(6)), null, false);
            RawHttp client = new RawHttp(server.port)) {
          client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
          client.send(new byte[10_000]);
          await().atMost(5, TimeUnit.SECONDS).until(() -> server.drain.inflight() == 1);
          CompletableFuture<DrainResult> result = shutdown(server);
          assertThat(server.stoppedAccepting.await(5, TimeUnit.SECONDS)).isTrue();
          server.workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
          DrainResult drained = result.get(10, TimeUnit.SECONDS);
          assertThat(drained.clean()).isFalse();
          assertThat(drained.deadlineReached()).isFalse();
          assertThat(drained.cut()).singleElement().satisfies(cut -> {
            assertThat(cut.method()).isEqualTo("POST");
            assertThat(cut.path()).isEqualTo("/upload");
            assertThat(cut.declaredLength()).isEqualTo(1_000_000);
          });
          assertThat(warnings).hasSize(1);
          assertThat(warnings.get(0)).contains("shutdownGracefully()", "awaitTermination()");
          assertThat(server.drain.inflight()).isZero();
        }
      });
    } finally {
      drainLog.removeHandler(capture);
    }
  }

  /**
   * An aggregator's {@code 413} to an {@code Expect: 100-continue} upload ends that request's
   * body: the connection does not hold the stop waiting for a body that never comes.
   */
  @Test
  void anExpectationRefusedByTheAggregatorDoesNotHoldTheStop() throws Exception {
    rounds(round -> {
      try (AdversityServer server = new AdversityServer(
              config(Duration.ZERO, Duration.ofSeconds(12)), null, false, null, true);
          RawHttp client = new RawHttp(server.port)) {
        RawHttp.Response refused = client.send("POST /upload HTTP/1.1\r\nHost: x\r\n"
            + "Expect: 100-continue\r\nContent-Length: 100000\r\n\r\n").read();
        assertThat(refused.status()).isEqualTo(413);
        long start = System.nanoTime();
        DrainResult result = server.coordinator.shutdown("test");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
            .as("the stop, with nothing in flight").isLessThan(3000);
        assertThat(result.clean()).isTrue();
        assertThat(server.drain.inflight()).isZero();
      }
    });
  }

  /** HTTP/2 streams answered after StopAccepting end without an exception in the log. */
  @Test
  void http2StreamsAnsweredAfterStopAcceptingLogNoException() throws Exception {
    List<LogRecord> records = captureNettyExceptions();
    try {
      rounds(round -> {
        try (KitServer server =
                NettyKitServer.start(config(Duration.ZERO, Duration.ofSeconds(6)));
            RawHttp2 client = RawHttp2.connect(server.port())) {
          CompletableFuture<RawHttp2.Response> slow = client.get("/slow?ms=800");
          await().atMost(5, TimeUnit.SECONDS).until(() -> server.drain().inflight() == 1);
          DrainResult result = server.coordinator().shutdown("test");
          assertThat(slow.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
          assertThat(result.clean()).isTrue();
        }
      });
      assertThat(records).as("exceptions logged by Netty")
          .extracting(record -> record.getMessage() + ": " + record.getThrown()).isEmpty();
    } finally {
      Logger.getLogger("io.netty").removeHandler(CAPTURE.get());
    }
  }

  private static final java.util.concurrent.atomic.AtomicReference<Handler> CAPTURE =
      new java.util.concurrent.atomic.AtomicReference<>();

  /** Captures what Netty logs with a non-I/O exception (a failure of the library's code). */
  private static List<LogRecord> captureNettyExceptions() {
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()
            && record.getThrown() != null
            && !(record.getThrown() instanceof java.io.IOException)) {
          records.add(record);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    CAPTURE.set(capture);
    Logger.getLogger("io.netty").addHandler(capture);
    return records;
  }

  /**
   * TLS in front of the codec: a request whose TLS record is split across StopAccepting (the
   * {@code SslHandler} holds half a record) is served, not closed as idle.
   */
  @Test
  void aTlsRecordSplitAcrossStopAcceptingIsServed() throws Exception {
    TlsFixture tls = TlsFixture.create();
    rounds(round -> {
      try (AdversityServer server = new AdversityServer(
              config(Duration.ZERO, Duration.ofSeconds(6)), null, false, tls.server(), false);
          SplitRelay relay = new SplitRelay(server.port);
          java.net.Socket holder = tls.client(server.port);
          javax.net.ssl.SSLSocket client = tls.client(relay.port())) {
        holder.getOutputStream().write(IoText.ascii("GET /slow?ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(IoText.status(client, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"))
            .isEqualTo(200);
        await().atMost(5, TimeUnit.SECONDS).until(() -> server.drain.inflight() == 1);
        relay.holdNextHalf();
        client.getOutputStream().write(IoText.ascii("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
        relay.awaitHeld();
        await().atMost(5, TimeUnit.SECONDS).until(() -> receiving(server));
        CompletableFuture<DrainResult> result = shutdown(server);
        assertThat(server.stoppedAccepting.await(5, TimeUnit.SECONDS)).isTrue();
        server.settleLoop();
        relay.release();
        assertThat(IoText.readStatus(client)).as("the split request's answer").isEqualTo(200);
        assertThat(IoText.readStatus(holder)).isEqualTo(200);
        assertThat(result.get(10, TimeUnit.SECONDS).clean()).isTrue();
      }
    });
  }
}

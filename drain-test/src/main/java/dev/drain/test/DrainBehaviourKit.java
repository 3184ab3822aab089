package dev.drain.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.drain.core.Admission;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainResult;
import dev.drain.core.ProbeConfig;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every adapter must show on its real server, with real clients on loopback.
 * Subclasses start their server in {@link #start(DrainConfig)}; every scenario is run against
 * it and must leave the in-flight count at exactly zero.
 */
public abstract class DrainBehaviourKit {

  /** One mebibyte. */
  protected static final long MB = DrainConfig.MEBIBYTE;

  /**
   * How many times each timing-sensitive scenario runs, each round on a fresh server, so that a
   * race seen once in twenty runs fails the build; {@code -Ddrain.kit.rounds=N} changes it.
   */
  protected static final int ROUNDS = Integer.getInteger("drain.kit.rounds", 20);

  private static final String TOKEN = "kit-token-0123456789";

  // HTTP/1.1: the scenarios are about HTTP/1.1 connections; a server with h2c would otherwise
  // be asked to upgrade.
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private KitServer server;

  /**
   * Starts the adapter's server with the given settings.
   *
   * @param config the drain settings
   * @return the running server, its drain ready
   * @throws Exception when it cannot start
   */
  protected abstract KitServer start(DrainConfig config) throws Exception;

  /**
   * Settings for short tests: 5 s grace, 500 ms margin, 1 s delay, no quiet period, 1 MB/s.
   *
   * @return a builder to adjust
   */
  protected static DrainConfig.Builder testConfig() {
    return DrainConfig.builder()
        .gracePeriod(Duration.ofSeconds(5))
        .safetyMargin(Duration.ofMillis(500))
        .propagationDelay(Duration.ofSeconds(1))
        .quietPeriod(Duration.ZERO)
        .minClientRate(MB);
  }

  private KitServer serve(DrainConfig.Builder config) throws Exception {
    server = start(config.build());
    assertThat(server.drain().isReady()).isTrue();
    return server;
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      KitServer last = server;
      server = null;
      await().atMost(Duration.ofSeconds(10)).untilAsserted(
          () -> assertThat(last.drain().inflight()).as("in flight after the test").isZero());
      last.close();
    }
  }

  /** A scenario round that may throw. */
  @FunctionalInterface
  protected interface Round {
    /**
     * Runs one round on the server it starts.
     *
     * @throws Exception on failure
     */
    void run() throws Exception;
  }

  /**
   * Runs {@code round} {@link #ROUNDS} times, each on a fresh server that it starts and this
   * method stops, checking the in-flight count returned to zero after every round.
   *
   * @param round the round
   * @throws Exception the first round's failure, naming the round
   */
  protected void rounds(Round round) throws Exception {
    rounds(ROUNDS, round);
  }

  /**
   * Runs {@code round} {@code count} times, as {@link #rounds(Round)} does.
   *
   * @param count how many rounds
   * @param round the round
   * @throws Exception the first round's failure, naming the round
   */
  protected void rounds(int count, Round round) throws Exception {
    for (int i = 1; i <= count; i++) {
      try {
        round.run();
        stopServer();
      } catch (Throwable failure) {
        throw new AssertionError("round " + i + " of " + count + " failed: " + failure, failure);
      }
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return client.sendAsync(HttpRequest.newBuilder(uri(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> upload(long length, long bytesPerSecond) {
    HttpRequest request = HttpRequest.newBuilder(uri("/upload"))
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofInputStream(
                () -> new PatternBody(length, bytesPerSecond)), length))
        .build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<DrainResult> shutdownAsync() {
    return CompletableFuture.supplyAsync(() -> server.coordinator().shutdown("kit"));
  }

  private CompletableFuture<Void> stopAccepting() {
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    server.drain().addListener(event -> {
      if (event instanceof DrainEvent.StopAccepting) {
        stopped.complete(null);
      }
    });
    return stopped;
  }

  private void awaitUploadProgress(long atLeast) {
    await().atMost(Duration.ofSeconds(10)).until(() -> server.drain().status().uploads().stream()
        .anyMatch(u -> u.bytesDone() >= atLeast));
  }

  /** (a) A 50 MB streamed upload in flight when the drain starts completes intact. */
  @Test
  void uploadInFlightAtDrainStartCompletesWithTheRightSha256() throws Exception {
    serve(testConfig().propagationDelay(Duration.ofMillis(500)).gracePeriod(Duration.ofSeconds(10)));
    long length = 50 * MB;
    CompletableFuture<HttpResponse<String>> response = upload(length, 25 * MB);
    awaitUploadProgress(5 * MB);

    DrainResult result = shutdownAsync().get(15, TimeUnit.SECONDS);

    HttpResponse<String> done = response.get(15, TimeUnit.SECONDS);
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).contains("\"bytes\":" + length)
        .contains("\"sha256\":\"" + PatternBody.sha256(length) + "\"");
    assertThat(result.clean()).isTrue();
    assertThat(result.deadlineReached()).isFalse();
  }

  /** (b) Readiness flips at once while requests are still served, with Connection: close. */
  @Test
  void rightAfterDrainStartReadinessIs503WhileHelloIsServedWithConnectionClose() throws Exception {
    serve(testConfig().propagationDelay(Duration.ofSeconds(3)));
    try (RawHttp before = new RawHttp(server.port())) {
      RawHttp.Response ready = before.get("/readyz");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.body()).isEqualTo("ready\n");
      assertThat(ready.connectionClose()).isFalse();
    }

    server.drain().startDrain("kit");

    try (RawHttp probe = new RawHttp(server.port())) {
      RawHttp.Response readiness = probe.get("/readyz");
      assertThat(readiness.status()).isEqualTo(503);
      assertThat(readiness.body()).isEqualTo("draining\n");
    }
    try (RawHttp hello = new RawHttp(server.port())) {
      RawHttp.Response response = hello.get("/hello");
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("hello");
      assertThat(response.connectionClose()).isTrue();
      assertThat(hello.closedWithin(2000)).as("closed after the response").isTrue();
    }
    try (RawHttp status = new RawHttp(server.port())) {
      assertThat(status.get("/drainz").body()).startsWith("{\"state\":\"DRAINING\"");
    }
  }

  /** (c) Idle keep-alive connections stay open through the delay and are closed after it. */
  @Test
  void idleKeepAliveConnectionIsKeptDuringTheDelayAndClosedAfterIt() throws Exception {
    serve(testConfig().propagationDelay(Duration.ofMillis(1500)));
    try (RawHttp used = new RawHttp(server.port()); RawHttp idle = new RawHttp(server.port())) {
      assertThat(used.get("/hello").connectionClose()).isFalse();
      assertThat(idle.get("/hello").connectionClose()).isFalse();
      CompletableFuture<Void> stopped = stopAccepting();
      CompletableFuture<DrainResult> result = shutdownAsync();

      assertThat(idle.closedWithin(300)).as("idle connection open during the delay").isFalse();
      RawHttp.Response reused = used.get("/hello");
      assertThat(reused.status()).as("pooled connection reused during the delay").isEqualTo(200);
      assertThat(reused.connectionClose()).isTrue();
      assertThat(stopped).isNotDone();

      stopped.get(5, TimeUnit.SECONDS);
      assertThat(idle.closedWithin(3000)).as("idle connection closed after the delay").isTrue();
      assertThat(result.get(10, TimeUnit.SECONDS).clean()).isTrue();
    }
  }

  /** (d) After the delay new connections are refused while in-flight requests complete. */
  @Test
  void afterTheDelayNewConnectionsAreRefusedWhileInFlightRequestsComplete() throws Exception {
    serve(testConfig().propagationDelay(Duration.ofMillis(500)));
    CompletableFuture<HttpResponse<String>> slow = getAsync("/slow?ms=2500");
    await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 1);
    CompletableFuture<Void> stopped = stopAccepting();
    CompletableFuture<DrainResult> result = shutdownAsync();

    stopped.get(5, TimeUnit.SECONDS);
    // A server may finish closing its listening socket on its acceptor thread (Jetty does), so
    // the refusal is awaited briefly rather than expected on the very next instruction.
    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).untilAsserted(
        () -> assertThatThrownBy(
            () -> new Socket(InetAddress.getLoopbackAddress(), server.port()).close())
            .isInstanceOf(ConnectException.class));
    HttpResponse<String> response = slow.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("slow");
    assertThat(result.get(10, TimeUnit.SECONDS).clean()).isTrue();
  }

  /**
   * (e) An upload that cannot finish at the rate this instance has seen uploads arrive gets 503
   * before its body: with 100-continue, 0 bytes read, and a header saying nothing was processed.
   */
  @Test
  void uploadThatCannotFinishIsRefusedBeforeItsBody() throws Exception {
    serve(testConfig().gracePeriod(Duration.ofSeconds(30))
        .propagationDelay(Duration.ofSeconds(10)));
    for (int i = 0; i < 3; i++) { // evidence: three uploads of 2 MB at loopback speed
      assertThat(upload(2 * MB, 0).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    // an upload leaves its evidence when its handle closes, which may follow the response
    await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 0);
    long evidenceBytes = server.uploadBytesRead();
    server.drain().startDrain("kit");
    try (RawHttp raw = new RawHttp(server.port())) {
      // 1 TiB: no rate a loopback upload reaches finishes it within the drain budget
      raw.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream"
          + "\r\nContent-Length: " + (1L << 40) + "\r\nExpect: 100-continue\r\n\r\n");
      RawHttp.Response response = raw.read();

      assertThat(response.status()).isEqualTo(503);
      assertThat(response.headers()).containsKey("retry-after");
      assertThat(response.headers().get(Admission.REFUSED_HEADER.toLowerCase(Locale.ROOT)))
          .isEqualTo(Admission.NOT_PROCESSED);
      assertThat(response.connectionClose()).isTrue();
      assertThat(response.body()).contains("draining").contains("recent uploads here");
    }
    assertThat(server.uploadBytesRead()).isEqualTo(evidenceBytes);
    assertThat(server.drain().status().refused()).isEqualTo(1);
  }

  /**
   * (e2) Without evidence of its own, an instance admits a large upload during the propagation
   * delay: the proxy still sends here, and a refusal on a guess would fail an upload that may
   * finish. A client that then gives up leaves the count at zero.
   */
  @Test
  void uploadWithoutEvidenceIsAdmittedDuringThePropagationDelay() throws Exception {
    serve(testConfig().gracePeriod(Duration.ofSeconds(30))
        .propagationDelay(Duration.ofSeconds(10)));
    server.drain().startDrain("kit");
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream"
          + "\r\nContent-Length: " + (500 * MB) + "\r\nExpect: 100-continue\r\n\r\n");
      RawHttp.Response response = raw.readHead();

      assertThat(response.status()).isEqualTo(100);
      raw.send(new byte[64 * 1024]);
      awaitUploadProgress(64 * 1024);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.drain().inflight() == 0);
    assertThat(server.drain().status().refused()).isZero();
  }

  /** (f) A client that aborts mid-upload (FIN or RST) leaves the count at exactly zero. */
  @ParameterizedTest(name = "reset={0}")
  @ValueSource(booleans = {false, true})
  void clientAbortingMidUploadLeavesTheCountAtZero(boolean reset) throws Exception {
    serve(testConfig());
    RawHttp raw = new RawHttp(server.port());
    raw.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream"
        + "\r\nContent-Length: " + (10 * MB) + "\r\n\r\n");
    raw.send(new PatternBody(MB, 0).readAllBytes());
    awaitUploadProgress(1);
    assertThat(server.drain().inflight()).isEqualTo(1);

    if (reset) {
      raw.socket().setSoLinger(true, 0);
    }
    raw.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> server.drain().inflight() == 0);
    assertThat(server.drain().status().uploads()).isEmpty();
  }

  /** (g) Bad input gets a clear status and never breaks the count. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "negative length      | POST /upload HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -5\\r\\n\\r\\n | 400",
    "non-numeric length   | POST /upload HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: abc\\r\\n\\r\\n | 400",
    "overflowing length   | POST /upload HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 99999999999999999999999\\r\\n\\r\\n | 400",
    "chunked, no length   | POST /upload HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n | 200",
    "HTTP/1.0             | GET /hello HTTP/1.0\\r\\n\\r\\n | 200",
  })
  void badInputGetsAClearStatusAndLeavesTheCountAtZero(String name, String request, int status)
      throws Exception {
    serve(testConfig());
    try (RawHttp raw = new RawHttp(server.port())) {
      RawHttp.Response response = raw.send(request.replace("\\r\\n", "\r\n")).read();
      assertThat(response.status()).isEqualTo(status);
      if (name.startsWith("chunked")) {
        assertThat(response.body()).contains("\"bytes\":5").contains(
            "\"sha256\":\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"");
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 0);
  }

  /** (g) Pipelined requests are each answered, in order. */
  @Test
  void pipelinedRequestsAreEachAnswered() throws Exception {
    serve(testConfig());
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(raw.read().body()).isEqualTo("hello");
      assertThat(raw.read().body()).isEqualTo("ready\n");
      assertThat(raw.read().body()).isEqualTo("hello");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 0);
  }

  /** (h) An async request that finishes after the drain started is waited for. */
  @Test
  void asyncRequestFinishingAfterDrainStartIsWaitedFor() throws Exception {
    serve(testConfig().propagationDelay(Duration.ZERO));
    CompletableFuture<HttpResponse<String>> async = getAsync("/async?ms=1500");
    await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 1);

    CompletableFuture<DrainResult> result = shutdownAsync();

    HttpResponse<String> response = async.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("async");
    DrainResult drained = result.get(10, TimeUnit.SECONDS);
    assertThat(drained.clean()).isTrue();
    assertThat(drained.duration()).isGreaterThan(Duration.ofMillis(500));
  }

  /** (h) An async timeout ends the request's handle. */
  @Test
  void asyncTimeoutClosesItsHandle() throws Exception {
    serve(testConfig());
    HttpResponse<String> response = getAsync("/async-timeout?ms=300").get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isGreaterThanOrEqualTo(500);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 0);
  }

  /** (i) A handler that throws ends its handle. */
  @Test
  void throwingHandlerClosesItsHandle() throws Exception {
    serve(testConfig());
    HttpResponse<String> response = getAsync("/throw").get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(500);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 0);
  }

  /** (j) An upload that cannot finish is cut at the deadline, listed, and stop ends in time. */
  @Test
  void uploadThatCannotFinishIsCutAtTheDeadlineAndListed() throws Exception {
    serve(testConfig().gracePeriod(Duration.ofSeconds(3)).propagationDelay(Duration.ZERO));
    CompletableFuture<HttpResponse<String>> response = upload(50 * MB, 2 * MB);
    awaitUploadProgress(MB);

    long start = System.nanoTime();
    DrainResult result = server.coordinator().shutdown("kit");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(result.deadlineReached()).isTrue();
    assertThat(result.cut()).singleElement().satisfies(cut -> {
      assertThat(cut.method()).isEqualTo("POST");
      assertThat(cut.path()).isEqualTo("/upload");
      assertThat(cut.bytesDone()).isBetween(MB, 50 * MB - 1);
      assertThat(cut.declaredLength()).isEqualTo(50 * MB);
    });
    assertThat(took).as("drain and server stop end before the grace period")
        .isLessThan(Duration.ofSeconds(3));
    assertThat(response).failsWithin(Duration.ofSeconds(10));
  }

  /** (k) An async timeout the application answers itself is waited for, in every round. */
  @Test
  void asyncTimeoutAnsweredByTheApplicationIsWaitedFor() throws Exception {
    rounds(() -> {
      serve(testConfig().propagationDelay(Duration.ZERO));
      CompletableFuture<HttpResponse<String>> response =
          getAsync("/async-timeout-answer?ms=100&work=200");
      await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 1);

      DrainResult result = shutdownAsync().get(10, TimeUnit.SECONDS);

      HttpResponse<String> answered = response.get(10, TimeUnit.SECONDS);
      assertThat(answered.statusCode()).isEqualTo(504);
      assertThat(answered.body()).as("still counted while the application answers")
          .isEqualTo("timeout answered, in flight 1");
      assertThat(result.clean()).isTrue();
    });
  }

  /** (k) An async timeout that dispatches to render a response is waited for, in every round. */
  @Test
  void asyncTimeoutThatDispatchesIsWaitedFor() throws Exception {
    rounds(() -> {
      serve(testConfig().propagationDelay(Duration.ZERO));
      CompletableFuture<HttpResponse<String>> response =
          getAsync("/async-timeout-dispatch?ms=100&work=200");
      await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 1);

      DrainResult result = shutdownAsync().get(10, TimeUnit.SECONDS);

      HttpResponse<String> rendered = response.get(10, TimeUnit.SECONDS);
      assertThat(rendered.statusCode()).isEqualTo(200);
      assertThat(rendered.body()).as("still counted while the dispatch renders")
          .isEqualTo("rendered, in flight 1");
      assertThat(result.clean()).isTrue();
    });
  }

  /**
   * (l) Responses committed after the drain started, sync or async, carry {@code Connection:
   * close}; a response committed before it ends without, and its connection is closed after it
   * instead of going back to a proxy's pool. Every round.
   */
  @Test
  void responsesCommittedDuringTheRequestStillEndTheirConnection() throws Exception {
    rounds(() -> {
      serve(testConfig().propagationDelay(Duration.ofMillis(300)));
      try (RawHttp before = new RawHttp(server.port());
          RawHttp late = new RawHttp(server.port());
          RawHttp asyncLate = new RawHttp(server.port())) {
        before.send("GET /stream?wait=1600 HTTP/1.1\r\nHost: x\r\n\r\n");
        RawHttp.Response head = before.readHead();
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.connectionClose()).as("committed before the drain").isFalse();
        // Their handlers commit 1 s after they arrive: the drain must have started by then, so
        // the setup below (another request, the in-flight count) gets that long, measured.
        long sent = System.nanoTime();
        late.send("GET /late?wait=1000&size=65536 HTTP/1.1\r\nHost: x\r\n\r\n");
        asyncLate.send("GET /async-late?wait=1000 HTTP/1.1\r\nHost: x\r\n\r\n");
        // keeps the drain open well after the other responses ended
        CompletableFuture<HttpResponse<String>> slow = getAsync("/slow?ms=2500");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 4);
        CompletableFuture<Void> stopped = stopAccepting();
        CompletableFuture<DrainResult> result = shutdownAsync();
        long drainAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        assertThat(drainAfterMillis).as("the drain started before the late handlers commit")
            .isLessThan(900);

        RawHttp.Response lateResponse = late.read();
        assertThat(lateResponse.status()).isEqualTo(200);
        assertThat(lateResponse.body()).hasSize(65536);
        assertThat(lateResponse.connectionClose())
            .as("sync, committed while draining (drain started %d ms after it arrived)",
                drainAfterMillis).isTrue();
        assertThat(late.closedWithin(2000)).isTrue();
        RawHttp.Response asyncResponse = asyncLate.read();
        assertThat(asyncResponse.body()).isEqualTo("async late");
        assertThat(asyncResponse.connectionClose()).as("async, committed while draining")
            .isTrue();
        assertThat(asyncLate.closedWithin(2000)).isTrue();

        stopped.get(5, TimeUnit.SECONDS);
        assertThat(before.readBody(head).body()).isEqualTo("start\nend\n");
        assertThat(before.closedWithin(400)).as("connection of a response committed before "
            + "the drain and ending after StopAccepting, closed after it while the drain goes on")
            .isTrue();
        assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(result.get(10, TimeUnit.SECONDS).clean()).isTrue();
      }
    });
  }

  /**
   * (m) The responses of the last requests, which the server may still be writing when the drain
   * completes on their end, reach the client whole: an upload's answer, and a 16 MB download
   * that the handler leaves in the server's buffer, for a client that starts reading only after
   * the drain completed. Every round.
   */
  @Test
  void theLastResponsesAreNotCutWhenTheDrainCompletesOnThem() throws Exception {
    rounds(() -> {
      serve(testConfig().propagationDelay(Duration.ZERO));
      long length = 2 * MB;
      int download = (int) (16 * MB);
      try (RawHttp reader = new RawHttp(server.port(), 64 * 1024)) {
        CompletableFuture<HttpResponse<String>> response = upload(length, 8 * MB);
        awaitUploadProgress(1);
        reader.send("GET /late?wait=400&size=" + download + "&flush=false HTTP/1.1\r\nHost: x"
            + "\r\n\r\n");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
            .until(() -> server.drain().inflight() == 2);
        CompletableFuture<DrainResult> result = shutdownAsync();

        HttpResponse<String> done = response.get(10, TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("\"sha256\":\"" + PatternBody.sha256(length) + "\"");
        RawHttp.Response big;
        DrainResult drained;
        if (requestEndsWhenItsResponseIsWritten()) {
          // The drain waits for the download's last write, so the client reads meanwhile.
          CompletableFuture<RawHttp.Response> reading = CompletableFuture.supplyAsync(() -> {
            try {
              return reader.read();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
          drained = server.drain().completion().toCompletableFuture().get(10, TimeUnit.SECONDS);
          big = reading.get(10, TimeUnit.SECONDS);
        } else {
          // Both handlers have returned; the download is still in the server's buffer.
          drained = server.drain().completion().toCompletableFuture().get(10, TimeUnit.SECONDS);
          big = reader.read();
        }
        assertThat(big.body().length()).as("download received whole").isEqualTo(download);
        assertThat(drained.clean()).isTrue();
        assertThat(result.get(10, TimeUnit.SECONDS)).isSameAs(drained);
      }
    });
  }

  /** The drain endpoint, when enabled, starts a drain only for a client with the token. */
  @Test
  void enabledDrainEndpointNeedsTheToken() throws Exception {
    serve(testConfig().probes(ProbeConfig.defaults().withDrainEndpoint(TOKEN)));
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send("POST /drainz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-the-token-000"
          + "\r\nContent-Length: 0\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(401);
      assertThat(response.headers()).containsEntry("www-authenticate", "Bearer");
    }
    assertThat(server.drain().isReady()).isTrue();
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send("POST /drainz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
          + "\r\nContent-Length: 0\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(202);
      assertThat(response.body()).startsWith("{\"state\":\"DRAINING\"");
      assertThat(response.connectionClose()).isTrue();
    }
    assertThat(server.drain().isDraining()).isTrue();
  }

  /** The status page is JSON and the drain endpoint is off unless enabled. */
  @Test
  void statusIsJsonAndTheDrainEndpointIsOffByDefault() throws Exception {
    serve(testConfig());
    try (RawHttp raw = new RawHttp(server.port())) {
      RawHttp.Response status = raw.get("/drainz");
      assertThat(status.status()).isEqualTo(200);
      assertThat(status.headers().get("content-type")).startsWith("application/json");
      assertThat(status.body()).startsWith("{\"state\":\"SERVING\",\"inflight\":0,\"uploads\":[]");
    }
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send("POST /drainz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(405);
    }
    assertThat(server.drain().isReady()).isTrue();
  }

  /**
   * (n) HTTP/2 over cleartext (prior knowledge, or an upgrade from HTTP/1.1) on the server's HTTP
   * port: each stream is tracked
   * like a request; a stream opened during the propagation delay is served; when the drain stops
   * accepting, GOAWAY with no error goes out while a stream is still in flight; that stream
   * finishes after it; a final GOAWAY, when one comes, covers it; the server closes the
   * connection soon after its last stream instead of leaving it to a timeout, and the drain is
   * clean.
   */
  @ParameterizedTest(name = "h2c by {0}")
  @ValueSource(strings = {"prior knowledge", "upgrade"})
  void h2cStreamsInFlightFinishAfterGoAwayAndTheConnectionCloses(String start) throws Exception {
    Assumptions.assumeTrue(speaksH2c(), "the server does not speak h2c");
    // After the first exchange the upgrade variant's drain is the prior-knowledge variant's:
    // a quarter of the rounds (5 at -Ddrain.kit.rounds=20) keeps the build short.
    int count = start.equals("upgrade") ? Math.max(1, ROUNDS / 4) : ROUNDS;
    rounds(count, () -> {
      serve(testConfig());
      CompletableFuture<RawHttp2.Response> opening = new CompletableFuture<>();
      try (RawHttp2 h2 = start.equals("upgrade")
          ? RawHttp2.upgrade(server.port(), "/hello", opening)
          : RawHttp2.connect(server.port())) {
        if (!start.equals("upgrade")) {
          opening = h2.get("/hello");
        }
        RawHttp2.Response hello = opening.get(5, TimeUnit.SECONDS);
        assertThat(hello.status()).as("h2c status").isEqualTo(200);
        assertThat(hello.body()).isEqualTo("hello");
        CompletableFuture<RawHttp2.Response> slow = h2.get("/slow?ms=2500");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.drain().inflight() == 1);
        CompletableFuture<DrainResult> result = shutdownAsync();
        await().atMost(Duration.ofSeconds(5)).until(() -> !server.drain().isReady());

        RawHttp2.Response during = h2.get("/hello").get(5, TimeUnit.SECONDS);
        assertThat(during.body()).as("a stream opened during the delay").isEqualTo("hello");
        await().atMost(Duration.ofSeconds(5)).until(() -> !h2.goAways().isEmpty());
        RawHttp2.GoAway first = h2.goAways().get(0);
        assertThat(first.errorCode()).as("GOAWAY error code").isZero();
        assertThat(during.nanos()).as("served before GOAWAY").isLessThan(first.nanos());

        RawHttp2.Response slowResponse = slow.get(10, TimeUnit.SECONDS);
        assertThat(slowResponse.status()).isEqualTo(200);
        assertThat(slowResponse.body()).isEqualTo("slow");
        assertThat(slowResponse.nanos()).as("the stream in flight finished after GOAWAY")
            .isGreaterThan(first.nanos());
        h2.closed().get(5, TimeUnit.SECONDS);
        long closedAfterMillis = (System.nanoTime() - slowResponse.nanos()) / 1_000_000;
        assertThat(closedAfterMillis).as("connection closed soon after its last stream, GOAWAYs %s",
            h2.goAways()).isLessThan(1000);
        // a GOAWAY that names a real stream id (not 2^31-1) tells the client which streams the
        // server took: it must not leave out the one it answered
        assertThat(h2.goAways()).as("GOAWAYs").allSatisfy(goAway -> assertThat(
            goAway.lastStreamId()).isGreaterThanOrEqualTo(slowResponse.streamId()));
        assertThat(result.get(10, TimeUnit.SECONDS).clean()).isTrue();
      }
    });
  }

  /**
   * Returns whether the server speaks h2c (prior knowledge and upgrade) on its HTTP port; the
   * HTTP/2 scenario is skipped, and reported as such, for one that does not.
   *
   * @return true unless overridden
   */
  protected boolean speaksH2c() {
    return true;
  }

  /**
   * Returns whether the adapter ends a request when the write of its response's last byte
   * completes (Netty), rather than when the application's handler returns while the server may
   * still be writing (Servlet). Such an adapter's drain cannot complete before a client has read
   * a large response, so the scenario about the last responses reads while the drain goes on.
   *
   * @return false unless overridden
   */
  protected boolean requestEndsWhenItsResponseIsWritten() {
    return false;
  }

  /**
   * Returns the running server, for subclass-specific checks.
   *
   * @return the server of the current test
   */
  protected KitServer server() {
    return server;
  }
}

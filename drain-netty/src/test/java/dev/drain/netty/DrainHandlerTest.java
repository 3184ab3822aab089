package dev.drain.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drain.core.Admission;
import dev.drain.core.Drain;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link DrainHandler} on an {@link EmbeddedChannel}: the cases a real client cannot produce on
 * demand (a response that never comes, writes in a chosen order). Every test ends with {@code
 * finishAndReleaseAll()} and checks that what it swallowed was released.
 */
class DrainHandlerTest {

  private final Drain drain = Drain.builder()
      .config(DrainConfig.builder().propagationDelay(Duration.ofSeconds(30))
          .gracePeriod(Duration.ofMinutes(2)).build())
      .build();
  private final NettyDrain nettyDrain = NettyDrain.create(drain);

  DrainHandlerTest() {
    drain.markReady();
  }

  private static HttpRequest get(String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  private static FullHttpResponse ok(String body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.OK, Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
    HttpUtil.setContentLength(response, body.length());
    return response;
  }

  @Nested
  class Placement {

    @Test
    void failsFastAfterAnAggregator() {
      EmbeddedChannel channel = new EmbeddedChannel(new HttpObjectAggregator(1024));
      channel.pipeline().addLast(nettyDrain.newHandler());
      assertThatThrownBy(channel::checkException).cause()
          .hasMessageContaining("DrainHandler must come before HttpObjectAggregator");
      assertThat(channel.isOpen()).as("the misplaced connection is closed").isFalse();
      channel.finishAndReleaseAll();
    }

    @Test
    void acceptsTheH2cUpgradeHandlerAhead() {
      io.netty.handler.codec.http.HttpServerCodec codec =
          new io.netty.handler.codec.http.HttpServerCodec();
      EmbeddedChannel channel = new EmbeddedChannel(codec,
          new io.netty.handler.codec.http.HttpServerUpgradeHandler(codec, protocol -> null));
      channel.pipeline().addLast(nettyDrain.newHandler());
      channel.checkException();
      assertThat(channel.isOpen()).isTrue();
      channel.finishAndReleaseAll();
    }

    @Test
    void failsFastAfterTheExpectContinueHandler() {
      EmbeddedChannel channel = new EmbeddedChannel(new HttpServerExpectContinueHandler());
      channel.pipeline().addLast(nettyDrain.newHandler());
      assertThatThrownBy(channel::checkException).cause()
          .hasMessageContaining("before HttpServerExpectContinueHandler");
      assertThat(channel.isOpen()).isFalse();
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void aRequestIsInFlightUntilItsLastResponsePartIsWritten() {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    channel.writeInbound(get("/hello"), LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(drain.inflight()).isEqualTo(1);

    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    assertThat(drain.inflight()).as("head written, body not yet").isEqualTo(1);
    channel.writeOutbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[3])));

    assertThat(drain.inflight()).isZero();
    assertThat(channel.finishAndReleaseAll()).isTrue();
  }

  @Test
  void pipelinedRequestsEachEndWithTheirOwnResponse() {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    channel.writeInbound(get("/a"), LastHttpContent.EMPTY_LAST_CONTENT,
        get("/b"), LastHttpContent.EMPTY_LAST_CONTENT,
        get("/c"), LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(drain.inflight()).as("three overlapping requests on one handle").isEqualTo(3);

    channel.writeOutbound(ok("a"));
    assertThat(drain.inflight()).isEqualTo(2);
    channel.writeOutbound(ok("b"), ok("c"));
    assertThat(drain.inflight()).isZero();
    assertThat(channel.finishAndReleaseAll()).isTrue();
  }

  @Test
  void aProbeBetweenPipelinedRequestsIsAnsweredInItsPlace() {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    channel.writeInbound(get("/a"), LastHttpContent.EMPTY_LAST_CONTENT,
        get("/readyz"), LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat((Object) channel.readOutbound()).as("the probe waits for /a's response").isNull();

    channel.writeOutbound(ok("a"));
    FullHttpResponse first = channel.readOutbound();
    FullHttpResponse probe = channel.readOutbound();
    assertThat(first.content().toString(StandardCharsets.US_ASCII)).isEqualTo("a");
    assertThat(probe.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ready\n");
    first.release();
    probe.release();
    assertThat(drain.inflight()).isZero();
    channel.finishAndReleaseAll();
  }

  @Test
  void informationalResponsesDoNotEndTheRequest() {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    HttpRequest upload = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/up");
    HttpUtil.setContentLength(upload, 4);
    HttpUtil.set100ContinueExpected(upload, true);
    channel.writeInbound(upload);
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.CONTINUE));
    assertThat(drain.inflight()).as("after 100 Continue").isEqualTo(1);

    channel.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[4])));
    assertThat(drain.status().uploads()).singleElement()
        .satisfies(u -> assertThat(u.bytesDone()).as("body counted after 100").isEqualTo(4));
    channel.writeOutbound(ok("done"));
    assertThat(drain.inflight()).isZero();
    channel.finishAndReleaseAll();
  }

  @Test
  void aClientThatGoesAwayEndsEveryRequestOfItsConnection() {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    HttpRequest upload = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/up");
    HttpUtil.setContentLength(upload, 10 << 20);
    channel.writeInbound(get("/a"), LastHttpContent.EMPTY_LAST_CONTENT, upload,
        new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[1 << 20])));
    assertThat(drain.inflight()).isEqualTo(2);
    assertThat(drain.status().uploads()).singleElement()
        .satisfies(u -> assertThat(u.bytesDone()).isEqualTo(1 << 20));

    channel.close();

    assertThat(drain.inflight()).isZero();
    assertThat(nettyDrain.openConnections()).isZero();
    channel.finishAndReleaseAll();
  }

  @Test
  void whileDrainingResponsesSayConnectionClose() {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    drain.startDrain("test");
    channel.writeInbound(get("/a"), LastHttpContent.EMPTY_LAST_CONTENT);
    channel.writeOutbound(ok("a"));

    FullHttpResponse response = channel.readOutbound();
    assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
    response.release();
    channel.runPendingTasks();
    assertThat(channel.isOpen()).as("closed after the response").isFalse();
    assertThat(drain.inflight()).isZero();
    channel.finishAndReleaseAll();
  }

  @Test
  void aRefusedUploadGets503AndItsBodyIsReleasedUnread() throws Exception {
    CompletableFuture<Void> stoppedAccepting = new CompletableFuture<>();
    Drain draining = Drain.builder()
        .config(DrainConfig.builder().propagationDelay(Duration.ZERO)
            .gracePeriod(Duration.ofSeconds(10)).safetyMargin(Duration.ofSeconds(1))
            .minClientRate(1024).build())
        .listener(event -> {
          if (event instanceof DrainEvent.StopAccepting) {
            stoppedAccepting.complete(null);
          }
        })
        .build();
    draining.markReady();
    EmbeddedChannel channel = new EmbeddedChannel(NettyDrain.create(draining).newHandler());
    draining.startDrain("test");
    stoppedAccepting.get(5, TimeUnit.SECONDS); // 50 MB at 1 KB/s: refused once not accepting
    HttpRequest upload = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/up");
    HttpUtil.setContentLength(upload, 50L << 20);
    HttpUtil.set100ContinueExpected(upload, true);
    ByteBuf body = Unpooled.wrappedBuffer(new byte[64 * 1024]);

    channel.writeInbound(upload, new DefaultHttpContent(body));

    assertThat((Object) channel.readInbound()).as("nothing reaches the application").isNull();
    assertThat(body.refCnt()).as("the body that still arrived is released").isZero();
    FullHttpResponse refusal = channel.readOutbound();
    assertThat(refusal.status().code()).isEqualTo(503);
    assertThat(refusal.headers().get(HttpHeaderNames.RETRY_AFTER)).isNotNull();
    assertThat(refusal.headers().get(Admission.REFUSED_HEADER)).isEqualTo(Admission.NOT_PROCESSED);
    assertThat(refusal.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
    refusal.release();
    assertThat(draining.inflight()).isZero();
    assertThat(draining.status().refused()).isEqualTo(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void aRequestTheCodecCouldNotParseGets400() {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    DefaultFullHttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
        HttpMethod.GET, "/bad");
    bad.setDecoderResult(io.netty.handler.codec.DecoderResult.failure(
        new IllegalArgumentException("invalid content length")));

    channel.writeInbound(bad);

    assertThat((Object) channel.readInbound()).isNull();
    assertThat(bad.refCnt()).isZero();
    FullHttpResponse response = channel.readOutbound();
    assertThat(response.status().code()).isEqualTo(400);
    assertThat(response.content().toString(StandardCharsets.UTF_8))
        .contains("invalid content length");
    response.release();
    assertThat(drain.inflight()).isZero();
    channel.finishAndReleaseAll();
  }

  @Test
  void aResponseThatClosesEarlyDoesNotCutTheBodyTheApplicationStillReads() {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    drain.startDrain("test");
    HttpRequest upload = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/echo");
    HttpUtil.setContentLength(upload, 8);
    channel.writeInbound(upload);
    HttpRequest passed = channel.readInbound();
    assertThat(passed).isSameAs(upload);
    // the application answers with its head before it has read the body
    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

    ByteBuf rest = Unpooled.wrappedBuffer(new byte[8]);
    channel.writeInbound(new DefaultLastHttpContent(rest));

    LastHttpContent body = channel.readInbound();
    assertThat(body.content().readableBytes()).as("the body still reaches the app").isEqualTo(8);
    body.release();
    channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(drain.inflight()).isZero();
    channel.finishAndReleaseAll();
  }

  @Test
  void whileDrainingAPipelinedRequestStillGetsItsResponse() {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    drain.startDrain("test");
    channel.writeInbound(get("/a"), LastHttpContent.EMPTY_LAST_CONTENT,
        get("/b"), LastHttpContent.EMPTY_LAST_CONTENT);

    channel.writeOutbound(ok("a"));
    channel.runPendingTasks();
    FullHttpResponse first = channel.readOutbound();
    assertThat(first.headers().get(HttpHeaderNames.CONNECTION))
        .as("not the last request: the connection stays for /b").isNull();
    assertThat(channel.isOpen()).isTrue();
    channel.writeOutbound(ok("b"));
    FullHttpResponse second = channel.readOutbound();
    assertThat(second.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
    first.release();
    second.release();
    assertThat(drain.inflight()).isZero();
    channel.finishAndReleaseAll();
  }

  @Test
  void a101EndsTheRequestAndTheHandlerLeavesTheConnection() {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    channel.writeInbound(get("/ws"), LastHttpContent.EMPTY_LAST_CONTENT);
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.SWITCHING_PROTOCOLS));

    assertThat(drain.inflight()).isZero();
    assertThat(channel.pipeline().get(DrainHandler.class)).isNull();
    assertThat(nettyDrain.openConnections()).isZero();
    channel.finishAndReleaseAll();
  }

  @Test
  void aConnectionThatStartsWithHttp2LeavesTheHandler() throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDrain.newHandler());
    var constructor = io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler
        .PriorKnowledgeUpgradeEvent.class.getDeclaredConstructor();
    constructor.setAccessible(true); // Netty fires its own instance; the test makes one
    channel.pipeline().fireUserEventTriggered(constructor.newInstance());

    assertThat(channel.pipeline().get(DrainHandler.class)).isNull();
    assertThat(nettyDrain.openConnections()).isZero();
    channel.finishAndReleaseAll();
  }
}

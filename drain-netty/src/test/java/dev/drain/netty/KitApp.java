package dev.drain.netty;

import dev.drain.core.Drain;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kit's application on Netty ({@link dev.drain.test.KitServer}'s endpoints), one per channel,
 * after {@link DrainHandler} and {@code HttpServerExpectContinueHandler}. Work that takes time is
 * scheduled, never slept on the event loop; "async" endpoints answer from another thread, as an
 * application handing a request to its own executor does; an "async timeout" is the
 * application's own timer answering instead.
 */
final class KitApp extends ChannelInboundHandlerAdapter {

  private final Drain drain;
  private final AtomicLong uploadBytes;
  private final ScheduledExecutorService worker;
  private MessageDigest digest;
  private long bodyBytes;
  private long declared;

  KitApp(Drain drain, AtomicLong uploadBytes, ScheduledExecutorService worker) {
    this.drain = drain;
    this.uploadBytes = uploadBytes;
    this.worker = worker;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    try {
      if (msg instanceof HttpRequest request) {
        onRequest(ctx, request);
      }
      if (msg instanceof HttpContent content && digest != null) {
        ByteBuf buf = content.content();
        digest.update(buf.nioBuffer());
        bodyBytes += buf.readableBytes();
        uploadBytes.addAndGet(buf.readableBytes());
        if (msg instanceof LastHttpContent) {
          String body = "{\"bytes\":" + bodyBytes + ",\"sha256\":\""
              + HexFormat.of().formatHex(digest.digest()) + "\"}";
          digest = null;
          if (declared >= 0 && declared != bodyBytes) {
            answer(ctx, 400, "truncated body: " + bodyBytes + " of " + declared + " bytes");
          } else {
            answer(ctx, 200, body);
          }
        }
      }
    } finally {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }

  private void onRequest(ChannelHandlerContext ctx, HttpRequest request)
      throws NoSuchAlgorithmException {
    QueryStringDecoder query = new QueryStringDecoder(request.uri());
    Map<String, List<String>> params = query.parameters();
    switch (query.path()) {
      case "/hello" -> answer(ctx, 200, "hello");
      case "/upload" -> {
        digest = MessageDigest.getInstance("SHA-256");
        bodyBytes = 0;
        declared = HttpUtil.getContentLength(request, -1L);
      }
      case "/slow" -> ctx.executor().schedule(() -> answer(ctx, 200, "slow"),
          number(params, "ms"), TimeUnit.MILLISECONDS);
      case "/async" -> worker.schedule(() -> answer(ctx, 200, "async"),
          number(params, "ms"), TimeUnit.MILLISECONDS);
      case "/async-timeout" -> worker.schedule(() -> answer(ctx, 503, "async timeout"),
          number(params, "ms"), TimeUnit.MILLISECONDS);
      case "/throw" -> throw new IllegalStateException("the handler throws");
      case "/async-timeout-answer" -> worker.schedule(
          () -> worker.schedule(() -> answer(ctx, 504,
              "timeout answered, in flight " + drain.inflight()),
              number(params, "work"), TimeUnit.MILLISECONDS),
          number(params, "ms"), TimeUnit.MILLISECONDS);
      case "/async-timeout-dispatch" -> worker.schedule(
          () -> render(ctx, number(params, "work")), number(params, "ms"), TimeUnit.MILLISECONDS);
      case "/render" -> render(ctx, number(params, "work"));
      case "/stream" -> {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        ctx.writeAndFlush(new DefaultHttpContent(ascii("start\n")));
        ctx.executor().schedule(
            () -> ctx.writeAndFlush(new DefaultLastHttpContent(ascii("end\n"))),
            number(params, "wait"), TimeUnit.MILLISECONDS);
      }
      case "/late" -> {
        int size = (int) number(params, "size");
        ctx.executor().schedule(() -> {
          FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
              HttpResponseStatus.OK, Unpooled.wrappedBuffer(new byte[size]));
          HttpUtil.setContentLength(response, size);
          ctx.writeAndFlush(response);
        }, number(params, "wait"), TimeUnit.MILLISECONDS);
      }
      case "/async-late" -> worker.schedule(() -> answer(ctx, 200, "async late"),
          number(params, "wait"), TimeUnit.MILLISECONDS);
      default -> answer(ctx, 404, "not found");
    }
  }

  private void render(ChannelHandlerContext ctx, long work) {
    worker.schedule(() -> answer(ctx, 200, "rendered, in flight " + drain.inflight()),
        work, TimeUnit.MILLISECONDS);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    answer(ctx, 500, "error: " + cause.getMessage());
  }

  private static void answer(ChannelHandlerContext ctx, int status, String body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status), ascii(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE,
        body.startsWith("{") ? "application/json" : "text/plain");
    HttpUtil.setContentLength(response, response.content().readableBytes());
    ctx.writeAndFlush(response);
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }

  private static long number(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? 0 : Long.parseLong(values.get(0));
  }
}

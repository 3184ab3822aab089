package dev.drain.samples.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The samples' application on one connection or HTTP/2 stream: {@code GET /hello}, {@code POST
 * /upload} streamed through SHA-256 (never held), and, for the baseline without the library, an
 * always-ready {@code /readyz}. The body is never aggregated.
 */
final class SampleHandler extends ChannelInboundHandlerAdapter {

  private final boolean answerReadiness;
  private MessageDigest digest;
  private long bytes;
  private long declared;

  SampleHandler(boolean answerReadiness) {
    this.answerReadiness = answerReadiness;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws NoSuchAlgorithmException {
    try {
      if (msg instanceof HttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals("/upload") && request.method().equals(HttpMethod.POST)) {
          digest = MessageDigest.getInstance("SHA-256");
          bytes = 0;
          declared = HttpUtil.getContentLength(request, -1L);
        } else if (path.equals("/hello")) {
          answer(ctx, 200, "text/plain", "hello");
        } else if (path.equals("/readyz") && answerReadiness) {
          answer(ctx, 200, "text/plain", "ready\n");
        } else {
          answer(ctx, 404, "text/plain", "not found\n");
        }
      }
      if (msg instanceof HttpContent content && digest != null) {
        ByteBuf buf = content.content();
        digest.update(buf.nioBuffer());
        bytes += buf.readableBytes();
        if (msg instanceof LastHttpContent) {
          String sha256 = HexFormat.of().formatHex(digest.digest());
          digest = null;
          if (declared >= 0 && declared != bytes) {
            answer(ctx, 400, "text/plain", "truncated body: " + bytes + " of " + declared
                + " bytes\n");
          } else {
            answer(ctx, 200, "application/json",
                "{\"bytes\":" + bytes + ",\"sha256\":\"" + sha256 + "\"}");
          }
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private static void answer(ChannelHandlerContext ctx, int status, String type, String body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status), Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    ctx.writeAndFlush(response);
  }
}

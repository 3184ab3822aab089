package dev.drain.netty;

import dev.drain.core.Admission;
import dev.drain.core.ProbeEndpoint;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;

/**
 * The responses {@link DrainHandler} gives itself, never the application: the probes' answers
 * ({@link ProbeEndpoint}), refusals ({@link Admission#refusalHeaders()}, as the servlet adapter
 * sends them) and {@code 400} for a head the codec could not decode.
 */
final class LocalAnswers {

  private LocalAnswers() {}

  /** The answer to a probe request; keeps the connection open unless {@code close}. */
  static FullHttpResponse probe(HttpRequest request, ProbeEndpoint.Answer answer, boolean close) {
    FullHttpResponse response = respond(request, answer.status(), answer.contentType(),
        answer.body().getBytes(StandardCharsets.UTF_8), close);
    answer.headers().forEach((name, value) -> response.headers().set(name, value));
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    if (request.method().equals(HttpMethod.HEAD)) {
      response.content().clear();
    }
    return response;
  }

  /** {@code 503} with the refusal's headers: the request was not processed; safe to retry. */
  static FullHttpResponse refusal(HttpRequest request, Admission refusal) {
    FullHttpResponse response = respond(request, 503, Admission.REFUSAL_CONTENT_TYPE,
        refusal.refusalBody(), true);
    refusal.refusalHeaders().forEach((name, value) -> response.headers().set(name, value));
    return response;
  }

  /** {@code 400} for a request the codec could not decode; the connection closes. */
  static FullHttpResponse badRequest(HttpRequest request) {
    Throwable cause = request.decoderResult().cause();
    String body = "bad request: " + (cause == null ? "malformed" : cause.getMessage()) + "\n";
    return respond(request, 400, "text/plain;charset=utf-8",
        body.getBytes(StandardCharsets.UTF_8), true);
  }

  private static FullHttpResponse respond(HttpRequest request, int status, String contentType,
      byte[] body, boolean close) {
    HttpVersion version = request.protocolVersion().equals(HttpVersion.HTTP_1_0)
        ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    FullHttpResponse response = new DefaultFullHttpResponse(version,
        HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    HttpUtil.setContentLength(response, body.length);
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version.equals(HttpVersion.HTTP_1_0)) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return response;
  }
}

package dev.drain.spring;

import dev.drain.core.Drain;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The kit's surface ({@link dev.drain.test.KitServer}) as WebFlux routes, as an application on
 * Reactor Netty writes it: work that takes time is a timer, never a sleep; "async" endpoints
 * answer from a timer, and an "async timeout" is the application's own timer answering.
 */
final class ReactiveKitRoutes {

  private ReactiveKitRoutes() {}

  static RouterFunction<ServerResponse> routes(Drain drain, AtomicLong uploadBytes) {
    return RouterFunctions.route()
        .GET("/hello", request -> text(200, "hello"))
        .POST("/upload", request -> upload(request, uploadBytes))
        .GET("/slow", request -> later(request, "ms", () -> text(200, "slow")))
        .GET("/async", request -> later(request, "ms", () -> text(200, "async")))
        .GET("/async-timeout", request -> later(request, "ms", () -> text(503, "async timeout")))
        .GET("/throw", request -> Mono.error(new IllegalStateException("the handler throws")))
        .GET("/async-timeout-answer", request -> later(request, "ms",
            () -> later(request, "work",
                () -> text(504, "timeout answered, in flight " + drain.inflight()))))
        .GET("/async-timeout-dispatch", request -> later(request, "ms",
            () -> later(request, "work", () -> text(200, "rendered, in flight " + drain.inflight()))))
        .GET("/render", request -> later(request, "work",
            () -> text(200, "rendered, in flight " + drain.inflight())))
        .GET("/stream", ReactiveKitRoutes::stream)
        .GET("/late", request -> later(request, "wait", () -> {
          int size = (int) number(request, "size");
          return ServerResponse.ok().contentLength(size)
              .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(new byte[size]);
        }))
        .GET("/async-late", request -> later(request, "wait", () -> text(200, "async late")))
        .build();
  }

  private static Mono<ServerResponse> upload(ServerRequest request, AtomicLong uploadBytes) {
    long declared = request.headers().contentLength().orElse(-1L);
    MessageDigest digest = sha256();
    AtomicLong bytes = new AtomicLong();
    return request.body(BodyExtractors.toDataBuffers())
        .doOnNext(buffer -> {
          try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
            while (chunks.hasNext()) {
              ByteBuffer chunk = chunks.next();
              int n = chunk.remaining();
              digest.update(chunk);
              bytes.addAndGet(n);
              uploadBytes.addAndGet(n);
            }
          } finally {
            DataBufferUtils.release(buffer);
          }
        })
        .then(Mono.defer(() -> declared >= 0 && declared != bytes.get()
            ? text(400, "truncated body: " + bytes.get() + " of " + declared + " bytes")
            : ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"bytes\":" + bytes.get() + ",\"sha256\":\""
                    + HexFormat.of().formatHex(digest.digest()) + "\"}")));
  }

  private static Mono<ServerResponse> stream(ServerRequest request) {
    long wait = number(request, "wait");
    BodyInserter<Object, ReactiveHttpOutputMessage> body = (message, context) ->
        message.writeAndFlushWith(Flux.just(
            Mono.just(message.bufferFactory().wrap(ascii("start\n"))),
            Mono.delay(Duration.ofMillis(wait))
                .map(tick -> message.bufferFactory().wrap(ascii("end\n")))));
    return ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).body(body);
  }

  private static Mono<ServerResponse> later(ServerRequest request, String param,
      java.util.function.Supplier<Mono<ServerResponse>> answer) {
    return Mono.delay(Duration.ofMillis(number(request, param))).then(Mono.defer(answer));
  }

  private static Mono<ServerResponse> text(int status, String body) {
    return ServerResponse.status(HttpStatus.valueOf(status)).contentType(MediaType.TEXT_PLAIN)
        .bodyValue(body);
  }

  private static long number(ServerRequest request, String name) {
    return request.queryParam(name).map(Long::parseLong).orElse(0L);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

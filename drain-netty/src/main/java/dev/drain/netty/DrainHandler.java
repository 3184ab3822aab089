package dev.drain.netty;

import dev.drain.core.Admission;
import dev.drain.core.Drain;
import dev.drain.core.Inflight;
import dev.drain.core.ProbeEndpoint;
import dev.drain.core.RequestInfo;
import dev.drain.core.ReusableInflight;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * Tracks the requests of one connection (or one HTTP/2 stream) for a {@link Drain}: one instance
 * per channel, made by {@link NettyDrain#newHandler()}.
 *
 * <p><b>Where it goes:</b> right after {@code HttpServerCodec} (or {@code
 * Http2StreamFrameToHttpObjectCodec} on a stream) and <em>before</em> {@link
 * HttpObjectAggregator} and {@link HttpServerExpectContinueHandler}: it must see a request's head
 * before the body is read and before {@code 100 Continue} is sent, or it could not refuse an
 * upload in time. It fails fast when it finds either of them ahead of it.
 *
 * <pre>{@code
 * ch.pipeline().addLast(new HttpServerCodec(), nettyDrain.newHandler(),
 *     new HttpServerExpectContinueHandler(), new HttpObjectAggregator(1 << 20), app);
 * }</pre>
 *
 * <p>What it does:
 *
 * <ul>
 *   <li>a request is tracked from its head until the write of the last part of its response
 *       completes, or the channel goes inactive (client abort, reset, idle timeout): the
 *       in-flight count returns to exactly zero on every path. Pipelined requests are tracked one
 *       each, in order;
 *   <li>body bytes are counted as {@link HttpContent} passes, without copying;
 *   <li>while draining, each final response carries {@code Connection: close} and the
 *       connection closes once it is written;
 *   <li>an upload the policy refuses gets {@code 503} with {@code Retry-After} and {@code
 *       Connection: close} before any {@code 100 Continue} and before its body is read; the body
 *       that still arrives is released, never passed on;
 *   <li>the readiness and status probes ({@code /readyz}, {@code /drainz}) are answered here.
 * </ul>
 *
 * <p>All state is confined to the channel's event loop; nothing blocks.
 */
public final class DrainHandler extends ChannelDuplexHandler {

  /** Fired by {@code CleartextHttp2ServerUpgradeHandler} (codec-http2, which may be absent). */
  private static final String PRIOR_KNOWLEDGE_EVENT =
      "io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler$PriorKnowledgeUpgradeEvent";
  /** Responses smaller than this leave the kernel's buffer at once; no linger is computed. */
  private static final long LINGER_MIN_BYTES = 64 * 1024;
  private static final Long NO_BYTES = 0L;

  private final NettyDrain shared;
  private final Drain drain;
  private final ReusableInflight reusable;
  private final boolean stream;
  /** Requests passed on whose final response has not been written yet, and local answers. */
  private final ArrayDeque<Object> pending = new ArrayDeque<>();
  /** Requests whose last response part is being written, oldest first. */
  private final ArrayDeque<Inflight> writing = new ArrayDeque<>();
  /**
   * For each of {@link #writing}: the promise of its last write. Its listener may run later on
   * the application's executor; a request whose write succeeded is not cut meanwhile.
   */
  private final ArrayDeque<ChannelFuture> writePromises = new ArrayDeque<>();
  /** For each of {@link #writing}: its body bytes when large enough to need time to drain. */
  private final ArrayDeque<Long> writeBytes = new ArrayDeque<>();
  /** One listener for every write of this connection: nothing is allocated per request. */
  private final ChannelFutureListener onWritten = this::onWritten;
  private ChannelHandlerContext ctx;
  /** What the HTTP/1.1 decoder ahead holds of a next request; null on an HTTP/2 stream. */
  private CodecState codec;
  /** The request whose body is being read, or null. */
  private Inflight reading;
  /** The body being read belongs to a request answered here: release it. */
  private boolean discarding;
  /** A response told the client the connection closes: no new request is served. */
  private boolean closing;
  /** The connection's output was shut down: nothing more can be answered. */
  private boolean ended;
  /** The response being written is informational (1xx): its end is not the request's end. */
  private boolean informational;
  /** The response being written is a 101: the connection stops speaking HTTP after it. */
  private boolean switchedProtocols;
  /** Body bytes of the responses written since the last one completed. */
  private long responseBytes;
  /** Body bytes of the last completed response, and when its write completed. */
  private long lastResponseBytes;
  private long lastWriteDoneNanos;

  DrainHandler(NettyDrain shared, boolean stream) {
    this.shared = shared;
    this.drain = shared.drain();
    this.reusable = drain.newReusableInflight();
    this.stream = stream;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    for (Map.Entry<String, ChannelHandler> entry : ctx.pipeline()) {
      ChannelHandler handler = entry.getValue();
      if (handler == this) {
        break;
      }
      // HttpServerUpgradeHandler (h2c) is an aggregator of upgrade requests only: others pass
      if ((handler instanceof HttpObjectAggregator
          && !(handler instanceof HttpServerUpgradeHandler))
          || handler instanceof HttpServerExpectContinueHandler) {
        // Netty removes a handler whose handlerAdded throws and fires the exception; closing
        // the connection makes the mistake show at the first request instead of going unseen.
        ctx.channel().close();
        throw new IllegalStateException("DrainHandler must come before "
            + handler.getClass().getSimpleName() + " ('" + entry.getKey() + "') in the pipeline:"
            + " put it right after HttpServerCodec, so that it sees each request's head before"
            + " the body is read or 100 Continue is sent");
      }
    }
    this.ctx = ctx;
    if (!stream) {
      codec = CodecState.ahead(ctx);
      if (ctx.channel().isActive()) {
        shared.connections().add(this);
      }
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!stream) {
      shared.connections().add(this);
    }
    ctx.fireChannelActive();
  }

  /**
   * After an h2c upgrade, or when the client starts with HTTP/2 (prior knowledge), the connection
   * speaks HTTP/2: its streams have handlers of their own and {@link Http2DrainHandler} ends it,
   * so this one leaves the pipeline (and the idle connections closed at StopAccepting). When the
   * pipeline has no {@link Http2DrainHandler} yet (a server that builds its HTTP/2 pipeline
   * itself, as Reactor Netty does), one is added right after the HTTP/2 codec.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof HttpExpectationFailedEvent) {
      // refused before its body (417, or 413 from an aggregator): no body will come
      reading = null;
    }
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent
        || evt.getClass().getName().equals(PRIOR_KNOWLEDGE_EVENT)) {
      if (!stream) {
        try {
          Http2DrainHandler.addIfMissing(ctx.pipeline(), shared.connections());
        } catch (LinkageError noHttp2Codec) {
          // an upgrade to something other than HTTP/2: nothing to end with GOAWAY
        }
      }
      ctx.pipeline().remove(this);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      if (!onRequest(ctx, request)) {
        // answered here: its body, if any, is released as it arrives
        discarding = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        return;
      }
    } else if (msg instanceof HttpContent content) {
      if (discarding) {
        if (msg instanceof LastHttpContent) {
          discarding = false;
        }
        content.release();
        return;
      }
      if (reading != null) {
        reading.onBytes(content.content().readableBytes());
      }
    }
    if (msg instanceof LastHttpContent) {
      reading = null;
    }
    ctx.fireChannelRead(msg);
  }

  /** Returns true to pass the request on; false when it was answered here. */
  private boolean onRequest(ChannelHandlerContext ctx, HttpRequest request) {
    if (ended) {
      return false; // after the end of the output nothing can be answered: the client retries
    }
    if (closing) {
      // read after a response that said Connection: close (pipelined): never dropped unanswered
      answerHere(ctx, LocalAnswers.refusal(request, Admission.refuse(
          "not processed: the connection closes after an earlier response",
          drain.config().retryAfter())));
      return false;
    }
    if (!request.decoderResult().isSuccess()) {
      answerHere(ctx, LocalAnswers.badRequest(request));
      return false;
    }
    String path = pathOf(request.uri());
    ProbeEndpoint probes = shared.probes();
    if (probes.isProbe(path)) {
      ProbeEndpoint.Answer answer = probes.answer(request.method().name(), path,
          request.headers().get(HttpHeaderNames.AUTHORIZATION));
      answerHere(ctx, LocalAnswers.probe(request, answer,
          !HttpUtil.isKeepAlive(request) || drain.isDraining()));
      return false;
    }
    RequestInfo info = new RequestInfo(request.method().name(), path, bodyLength(request));
    Admission admission = drain.admit(info);
    Inflight inflight = admission.admitted() ? begin(info) : null;
    if (inflight == null || !inflight.tracked()) {
      answerHere(ctx, LocalAnswers.refusal(request, admission.admitted()
          ? Admission.drained(drain.config().retryAfter()) : admission));
      return false;
    }
    pending.addLast(inflight);
    reading = info.hasBody() ? inflight : null;
    return true;
  }

  private Inflight begin(RequestInfo info) {
    // The reusable handle tracks one bodyless request at a time; a pipelined one gets its own.
    if (!info.hasBody() && pending.isEmpty() && writing.isEmpty()) {
      return reusable.begin(info);
    }
    return drain.begin(info);
  }

  /** Writes a local answer now, or after the responses of the requests before it. */
  private void answerHere(ChannelHandlerContext ctx, FullHttpResponse response) {
    if (!HttpUtil.isKeepAlive(response)) {
      closing = true;
    }
    if (pending.isEmpty()) {
      writeLocal(ctx, response);
    } else {
      pending.addLast(response);
    }
  }

  private void writeLocal(ChannelHandlerContext ctx, FullHttpResponse response) {
    ctx.writeAndFlush(response).addListener(future -> {
      if (!future.isSuccess()) {
        ctx.close();
      } else {
        endIfDone();
      }
    });
  }

  /**
   * Ends the connection once a response said {@code Connection: close} and every request read
   * before or after it has its answer written: the last one decides, never the first.
   */
  private void endIfDone() {
    if (closing && !stream && !ended && pending.isEmpty() && writing.isEmpty()) {
      // not from inside the write's completion: the channel is still removing that write, and
      // requests pipelined behind it in the same read are still to be decoded and refused
      ctx.executor().execute(() -> {
        if (!ended && pending.isEmpty() && writing.isEmpty()) {
          endOutput();
        }
      });
    }
  }

  /** Shuts the output down and lets the client close; see {@link ConnectionEnd}. */
  private void endOutput() {
    closing = true;
    ended = true;
    ConnectionEnd.shutOutput(ctx.channel(), ConnectionEnd.LINGER);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      int code = response.status().code();
      // 101 ends the HTTP exchange: the request is over when it is written
      informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL
          && code != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
      if (!informational) {
        // while draining the connection ends after the last request the client sent: one
        // already passed on behind this one, or still being decoded, gets its response first
        if (drain.isDraining() && !stream && code != 101 && pending.size() <= 1
            && codec.read() != CodecState.RECEIVING) {
          HttpUtil.setKeepAlive(response, false);
        }
        switchedProtocols = code == 101;
        if (!stream && !HttpUtil.isKeepAlive(response)) {
          closing = true;
        }
      }
    }
    if (msg instanceof HttpContent content) {
      responseBytes += content.content().readableBytes();
    }
    if (!(msg instanceof LastHttpContent) || informational) {
      if (msg instanceof LastHttpContent) {
        informational = false;
      }
      ctx.write(msg, promise);
      return;
    }
    Object head = pending.pollFirst();
    if (!(head instanceof Inflight inflight)) {
      // A response without a request we passed on (written by the application on its own):
      // nothing to end. Keep any local answer in its place.
      if (head != null) {
        pending.addFirst(head);
      }
      ctx.write(msg, promise);
      return;
    }
    writing.addLast(inflight);
    long bytes = responseBytes;
    responseBytes = 0;
    // a small response needs no time to drain after its write: no clock read, no boxing
    writeBytes.addLast(bytes >= LINGER_MIN_BYTES ? Long.valueOf(bytes) : NO_BYTES);
    ChannelPromise done = promise.unvoid();
    writePromises.addLast(done);
    done.addListener(onWritten);
    ctx.write(msg, done);
    while (pending.peekFirst() instanceof FullHttpResponse local) {
      pending.pollFirst();
      writeLocal(ctx, local);
    }
  }

  /**
   * The write of a response's last part completed: its request ends; in write order. The
   * promise may be the application's, made on its own executor (an {@code EventExecutorGroup}
   * for blocking work): the state of this handler is the event loop's, so the end hops there.
   */
  private void onWritten(ChannelFuture future) {
    if (!ctx.executor().inEventLoop()) {
      ctx.executor().execute(() -> onWritten(future));
      return;
    }
    Inflight ended = writing.pollFirst();
    writePromises.pollFirst();
    Long bytes = writeBytes.pollFirst();
    if (bytes != null && bytes > 0) {
      lastResponseBytes = bytes;
      lastWriteDoneNanos = System.nanoTime();
    }
    if (!future.isSuccess()) {
      if (ended != null) {
        ended.abort();
      }
      ctx.close();
      return;
    }
    if (ended != null) {
      ended.close();
    }
    if (switchedProtocols && writing.isEmpty()) {
      // a WebSocket (or other protocol) is the application's to end, not an idle connection
      ctx.pipeline().remove(this);
      return;
    }
    endIfDone();
    if (!stream) {
      shared.connections().settled(this);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // read before the requests end: the last one's end may complete the drain
    boolean drainWaits = drain.state() == dev.drain.core.DrainState.DRAINING;
    int cut = endAll(true);
    if (cut > 0 && drainWaits && ctx.executor().isShuttingDown()) {
      shared.eventLoopsShutDown(cut);
    }
    shared.connections().remove(this);
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    endAll(false);
    shared.connections().remove(this);
  }

  /**
   * Ends every request of this connection: aborted when the connection closed under them (the
   * client went away, or the server's event loops), closed when this handler leaves a pipeline
   * that goes on (an upgrade to HTTP/2 hands its request on).
   *
   * @return how many requests it ended
   */
  private int endAll(boolean abort) {
    int count = 0;
    reading = null;
    for (Object entry; (entry = pending.pollFirst()) != null; ) {
      if (entry instanceof Inflight inflight) {
        end(inflight, abort);
        count++;
      } else {
        ReferenceCountUtil.release(entry);
      }
    }
    for (Inflight inflight; (inflight = writing.pollFirst()) != null; ) {
      ChannelFuture write = writePromises.pollFirst();
      // its write may have succeeded with the listener still on its way from another executor
      boolean written = write != null && write.isSuccess();
      end(inflight, abort && !written);
      count += written ? 0 : 1;
    }
    writePromises.clear();
    writeBytes.clear();
    return count;
  }

  private static void end(Inflight inflight, boolean abort) {
    if (abort) {
      inflight.abort();
    } else {
      inflight.close();
    }
  }

  /**
   * Returns whether the connection has no request in flight: no head read without its response
   * written, no body being read or discarded. Only meaningful on the event loop.
   */
  boolean noRequest() {
    return pending.isEmpty() && writing.isEmpty() && reading == null && !discarding;
  }

  /**
   * Returns what the codec holds of a next request: {@link CodecState#IDLE}, {@link
   * CodecState#RECEIVING} (the start of a head) or {@link CodecState#UNKNOWN}. On the loop.
   */
  int codecState() {
    return codec.read();
  }

  /** Returns whether a body is still arriving: one being read, or a refused one discarded. */
  boolean receivingBody() {
    return reading != null || discarding;
  }

  /**
   * Returns how long the bytes of the last response may still be on their way, at the drain's
   * minimum client rate, counting at most what the socket's send buffer holds: the time to wait
   * before a close could no longer cut them. Only meaningful on the event loop.
   */
  long lingerNanos() {
    return ConnectionEnd.lingerNanos(ctx.channel(), lastResponseBytes, lastWriteDoneNanos,
        drain.config().minClientRate());
  }

  /** Ends an idle connection: shuts its output down and lets the client close; on the loop. */
  void endIdle() {
    if (!ended) {
      endOutput();
    }
  }

  /** The channel this handler serves, once added. */
  ChannelHandlerContext context() {
    return ctx;
  }

  static String pathOf(String uri) {
    int end = uri.length();
    int query = uri.indexOf('?');
    if (query >= 0) {
      end = query;
    }
    int fragment = uri.indexOf('#');
    if (fragment >= 0 && fragment < end) {
      end = fragment;
    }
    String path = uri.substring(0, end);
    if (!path.startsWith("/")) {
      // absolute-form (http://host/path) or asterisk-form
      int scheme = path.indexOf("://");
      if (scheme >= 0) {
        int slash = path.indexOf('/', scheme + 3);
        return slash >= 0 ? path.substring(slash) : "/";
      }
    }
    return path.isEmpty() ? "/" : path;
  }

  /**
   * The declared body length: {@code Content-Length}; {@link RequestInfo#UNKNOWN_LENGTH} for a
   * chunked body or a length that does not parse (the codec then marks the request failed); 0
   * for none. On an HTTP/2 stream a request without {@code Content-Length} whose method may carry
   * a body counts as unknown length, as in the servlet adapter.
   */
  long bodyLength(HttpRequest request) {
    String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null) {
      try {
        long parsed = Long.parseLong(length.trim());
        return parsed >= 0 ? parsed : RequestInfo.UNKNOWN_LENGTH;
      } catch (NumberFormatException e) {
        return RequestInfo.UNKNOWN_LENGTH;
      }
    }
    if (HttpUtil.isTransferEncodingChunked(request)) {
      return RequestInfo.UNKNOWN_LENGTH;
    }
    if (stream && !bodyless(request.method())) {
      return RequestInfo.UNKNOWN_LENGTH;
    }
    return 0;
  }

  private static boolean bodyless(HttpMethod method) {
    return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)
        || method.equals(HttpMethod.DELETE) || method.equals(HttpMethod.OPTIONS)
        || method.equals(HttpMethod.TRACE) || method.equals(HttpMethod.CONNECT);
  }
}

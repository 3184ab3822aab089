package dev.drain.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpObjectDecoder;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Tells whether the HTTP/1.1 decoder ahead of a {@link DrainHandler} is between two requests:
 * nothing of a next request received, by it or by another decoder ahead of it (an {@code
 * SslHandler} holding part of a TLS record). A request whose head is only partly received (a large
 * header split across TCP segments) is invisible after the codec, which delivers a head only
 * once it is whole; closing its connection as idle would lose it.
 *
 * <p>Netty offers no public view of this, so it is read from the decoder (its state and its
 * buffered bytes) only when the drain must decide: never on a request's path while serving. If
 * that read is impossible (another codec, a Netty without those members), the answer is {@link
 * #UNKNOWN} and the handler treats the connection with care: it is given a short wait before it
 * is closed as idle, and its responses close it as before.
 */
final class CodecState {

  /** Between requests: nothing of another request was received. */
  static final int IDLE = 0;
  /** Bytes of a next request were received and not decoded yet. */
  static final int RECEIVING = 1;
  /** Cannot tell. */
  static final int UNKNOWN = 2;

  private static final Method INBOUND;
  private static final Method BUFFER;
  private static final Field STATE;

  static {
    Method inbound = null;
    Method buffer = null;
    Field state = null;
    try {
      inbound = CombinedChannelDuplexHandler.class.getDeclaredMethod("inboundHandler");
      inbound.setAccessible(true);
      buffer = ByteToMessageDecoder.class.getDeclaredMethod("internalBuffer");
      buffer.setAccessible(true);
      state = HttpObjectDecoder.class.getDeclaredField("currentState");
      state.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException unavailable) {
      inbound = null;
      buffer = null;
      state = null;
    }
    INBOUND = inbound;
    BUFFER = buffer;
    STATE = state;
  }

  private final HttpObjectDecoder decoder;
  /** Other decoders ahead (an {@code SslHandler}): bytes they hold are a request arriving too. */
  private final java.util.List<ByteToMessageDecoder> others;

  private CodecState(HttpObjectDecoder decoder, java.util.List<ByteToMessageDecoder> others) {
    this.decoder = decoder;
    this.others = others;
  }

  /**
   * Finds the HTTP/1.1 request decoder ahead of {@code ctx}'s handler: an {@code HttpServerCodec}
   * (or another combined codec whose inbound half decodes HTTP) or a lone decoder.
   *
   * @return the state of that decoder; one that always answers {@link #UNKNOWN} if none is found
   */
  static CodecState ahead(ChannelHandlerContext ctx) {
    HttpObjectDecoder found = null;
    java.util.List<ByteToMessageDecoder> others = new java.util.ArrayList<>();
    for (Map.Entry<String, ChannelHandler> entry : ctx.pipeline()) {
      ChannelHandler handler = entry.getValue();
      if (handler == ctx.handler()) {
        break;
      }
      HttpObjectDecoder decoder = decoderOf(handler);
      if (decoder != null) {
        found = decoder;
      } else if (handler instanceof ByteToMessageDecoder other) {
        others.add(other);
      }
    }
    return new CodecState(found, java.util.List.copyOf(others));
  }

  private static HttpObjectDecoder decoderOf(ChannelHandler handler) {
    if (handler instanceof HttpObjectDecoder decoder) {
      return decoder;
    }
    if (INBOUND != null && handler instanceof CombinedChannelDuplexHandler<?, ?>) {
      try {
        return INBOUND.invoke(handler) instanceof HttpObjectDecoder decoder ? decoder : null;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
    return null;
  }

  /**
   * Returns {@link #IDLE}, {@link #RECEIVING} or {@link #UNKNOWN}; on the event loop.
   *
   * @return the decoder's state
   */
  int read() {
    if (decoder == null || STATE == null) {
      return UNKNOWN;
    }
    try {
      for (ByteToMessageDecoder other : others) {
        if (((ByteBuf) BUFFER.invoke(other)).isReadable()) {
          return RECEIVING; // part of a TLS record, say
        }
      }
      String state = String.valueOf(STATE.get(decoder));
      if (!state.startsWith("SKIP_")) {
        return state.startsWith("READ_") ? RECEIVING : UNKNOWN; // BAD_MESSAGE, UPGRADED
      }
      // between messages the decoder keeps only the start of a line it could not finish
      return ((ByteBuf) BUFFER.invoke(decoder)).isReadable() ? RECEIVING : IDLE;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return UNKNOWN;
    }
  }
}

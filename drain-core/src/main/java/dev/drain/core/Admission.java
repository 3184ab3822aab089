package dev.drain.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The drain's decision on a new request.
 *
 * @param admitted whether to serve the request
 * @param reason why it was refused, or {@code "admitted"}
 * @param retryAfter what to send as {@code Retry-After} when refused; {@link Duration#ZERO} when
 *     admitted
 */
public record Admission(boolean admitted, String reason, Duration retryAfter) {

  /**
   * The header every refusal carries, with the value {@link #NOT_PROCESSED}: the request was
   * refused before the application saw it and before any byte of its body was read, so sending it
   * again, to another instance, is safe even for a {@code POST}, provided the adapter runs before
   * anything that reads the body or acts on the request ({@code DrainFilter} first in the chain).
   * A proxy or client can retry on it (see the README for nginx and Kong).
   */
  public static final String REFUSED_HEADER = "Drain-Refused";

  /** The value of {@link #REFUSED_HEADER}: nothing of the request was processed. */
  public static final String NOT_PROCESSED = "not-processed";

  /** The content type of a refusal's body, {@link #refusalBody()}. */
  public static final String REFUSAL_CONTENT_TYPE = "text/plain;charset=utf-8";

  private static final Admission ADMIT = new Admission(true, "admitted", Duration.ZERO);

  /**
   * Validates the components.
   *
   * @param admitted see {@link #admitted()}
   * @param reason see {@link #reason()}
   * @param retryAfter see {@link #retryAfter()}
   */
  public Admission {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(retryAfter, "retryAfter");
  }

  /**
   * Returns the shared "admitted" decision.
   *
   * @return the admitted decision
   */
  public static Admission admit() {
    return ADMIT;
  }

  /**
   * Returns a refusal.
   *
   * @param reason why, for logs and the response body
   * @param retryAfter the Retry-After to send
   * @return the refusal
   */
  public static Admission refuse(String reason, Duration retryAfter) {
    return new Admission(false, reason, retryAfter);
  }

  /**
   * Returns {@link #retryAfter()} as whole seconds, rounded up, for the {@code Retry-After}
   * header.
   *
   * @return seconds, at least 0
   */
  public long retryAfterSeconds() {
    long seconds = retryAfter.getSeconds();
    return retryAfter.getNano() > 0 ? seconds + 1 : seconds;
  }

  /**
   * Returns the refusal of a request that arrived after the drain completed (its {@link
   * Inflight#tracked()} was false): the instance is going away, the request was not processed.
   *
   * @param retryAfter what to send as {@code Retry-After}
   * @return the refusal
   */
  public static Admission drained(Duration retryAfter) {
    return refuse("drained: this instance is shutting down", retryAfter);
  }

  /**
   * Returns the headers every adapter sends with a refusal, in this order: {@code Retry-After}
   * (whole seconds), {@code Connection: close} and {@link #REFUSED_HEADER}: {@link
   * #NOT_PROCESSED}; the status is {@code 503} and the body {@link #refusalBody()}. One place, so
   * that the servlet and Netty adapters refuse alike.
   *
   * @return the header names and values, in a fixed order
   */
  public java.util.Map<String, String> refusalHeaders() {
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    headers.put("Retry-After", Long.toString(retryAfterSeconds()));
    headers.put("Connection", "close");
    headers.put(REFUSED_HEADER, NOT_PROCESSED);
    return java.util.Collections.unmodifiableMap(headers);
  }

  /**
   * Returns the body of a refusal: the reason and a line feed, UTF-8, of type {@link
   * #REFUSAL_CONTENT_TYPE}.
   *
   * @return the body's bytes
   */
  public byte[] refusalBody() {
    return (reason + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}

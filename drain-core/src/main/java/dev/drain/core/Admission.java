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
}

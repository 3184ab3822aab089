package dev.drain.core;

import java.util.Objects;

/**
 * What an adapter knows of a request when its head has arrived.
 *
 * @param method the HTTP method, e.g. {@code POST}; never null
 * @param path the request path without the query, e.g. {@code /upload}; never null
 * @param contentLength the declared body length in bytes: {@code 0} for a request without a body,
 *     a positive length from {@code Content-Length}, or {@link #UNKNOWN_LENGTH} for a body whose
 *     length is not declared (chunked)
 */
public record RequestInfo(String method, String path, long contentLength) {

  /** The {@link #contentLength()} of a body whose length is not declared (chunked). */
  public static final long UNKNOWN_LENGTH = -1;

  /**
   * Validates the components.
   *
   * @param method see {@link #method()}
   * @param path see {@link #path()}
   * @param contentLength see {@link #contentLength()}
   * @throws IllegalArgumentException when {@code contentLength} is below {@link #UNKNOWN_LENGTH}
   */
  public RequestInfo {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    if (contentLength < UNKNOWN_LENGTH) {
      throw new IllegalArgumentException(
          "contentLength must be >= 0, or -1 for an unknown length; was " + contentLength);
    }
  }

  /**
   * Returns a request without a body.
   *
   * @param method the method
   * @param path the path
   * @return the request
   */
  public static RequestInfo bodyless(String method, String path) {
    return new RequestInfo(method, path, 0);
  }

  /**
   * Returns whether the request has a body, of known or unknown length.
   *
   * @return true for an upload
   */
  public boolean hasBody() {
    return contentLength != 0;
  }

  /**
   * Returns whether the body's length is declared.
   *
   * @return true when {@link #contentLength()} is not {@link #UNKNOWN_LENGTH}
   */
  public boolean lengthKnown() {
    return contentLength != UNKNOWN_LENGTH;
  }
}

package dev.drain.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a drain did, from its start to {@link DrainState#DRAINED}.
 *
 * @param reason what started the drain, e.g. {@code "SIGTERM"}
 * @param duration time from the drain's start to its end
 * @param deadlineReached whether the drain ended at its deadline with requests still in flight;
 *     a drain can be cut without reaching it (see {@code cut})
 * @param cut the uploads (requests with a body) cut: those whose connection closed before their
 *     response was written while the drain ran ({@link Inflight#abort()}: the client went away,
 *     the server's event loops were shut down under them), then those still in flight at the
 *     deadline; each with its progress; empty when none
 * @param cutWithoutBody how many bodyless requests were cut, the same two ways (they are counted,
 *     not listed, so that tracking them costs one counter update)
 * @param refused how many requests were refused while draining
 * @param admittedUploads how many uploads (a body of 1 MiB or more, or of unknown length) were
 *     admitted while draining, mostly those the proxy still sent during the propagation delay
 *     and quiet period
 */
public record DrainResult(
    String reason, Duration duration, boolean deadlineReached,
    List<CutRequest> cut,
    long cutWithoutBody,
    long refused,
    long admittedUploads) {

  /**
   * Validates the components.
   *
   * @param reason see {@link #reason()}
   * @param duration see {@link #duration()}
   * @param deadlineReached see {@link #deadlineReached()}
   * @param cut see {@link #cut()}
   * @param cutWithoutBody see {@link #cutWithoutBody()}
   * @param refused see {@link #refused()}
   * @param admittedUploads see {@link #admittedUploads()}
   */
  public DrainResult {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(duration, "duration");
    cut = List.copyOf(cut);
  }

  /**
   * Returns whether every request ended on its own.
   *
   * @return true when nothing was cut
   */
  public boolean clean() {
    return cut.isEmpty() && cutWithoutBody == 0;
  }

  /**
   * A request that was cut: in flight at the deadline, or ended by its connection closing first.
   *
   * @param method its method
   * @param path its path
   * @param bytesDone body bytes read so far
   * @param declaredLength its declared body length, {@code 0} for none, {@code -1} for unknown
   */
  public record CutRequest(String method, String path, long bytesDone, long declaredLength) {

    /**
     * Validates the components.
     *
     * @param method see {@link #method()}
     * @param path see {@link #path()}
     * @param bytesDone see {@link #bytesDone()}
     * @param declaredLength see {@link #declaredLength()}
     */
    public CutRequest {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String toString() {
      return method + " " + path + " (" + bytesDone + " of "
          + (declaredLength < 0 ? "unknown" : Long.toString(declaredLength)) + " bytes)";
    }
  }
}

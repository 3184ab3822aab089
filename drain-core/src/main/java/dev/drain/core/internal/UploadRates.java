package dev.drain.core.internal;

import dev.drain.core.DrainClock;
import dev.drain.core.RequestInfo;
import java.util.Arrays;
import java.util.Collection;
import java.util.OptionalDouble;

/**
 * The upload rates this instance observed: the evidence a new upload is planned with while
 * draining. An upload of at least {@link #MIN_EVIDENCE_BYTES} gives one observation: when it ends,
 * its bytes over the time from its start to its last progress; while in flight, its bytes so far
 * over the time since it started (a stall lowers it). Observations older than the window are
 * forgotten; of the rest, the {@link #PERCENTILE} is the estimate, once there are {@link
 * #MIN_OBSERVATIONS}. Small bodies are no evidence: they arrive in a burst, and their "rate" is
 * the socket buffer's.
 *
 * <p>Thread-safe. Recording costs a short lock, taken only at the end of uploads of 1 MiB or more.
 */
public final class UploadRates {

  /** The smallest upload whose rate counts. */
  public static final long MIN_EVIDENCE_BYTES = 1L << 20;
  /** How many observations an estimate needs. */
  public static final int MIN_OBSERVATIONS = 3;
  /** The low percentile taken: nine in ten observed uploads were at least this fast. */
  public static final double PERCENTILE = 0.10;
  /** How many ended uploads are remembered at most. */
  static final int CAPACITY = 64;

  private static final double NANOS_PER_SECOND = 1e9;

  private final long windowNanos;
  private final double[] rates = new double[CAPACITY];
  private final long[] endedAt = new long[CAPACITY];
  private int next;
  private int size;

  /**
   * Returns whether a request is an upload as admission and its counts see it: a body of at least
   * {@link #MIN_EVIDENCE_BYTES}, or of unknown length. A smaller body arrives in one socket buffer.
   *
   * @param info the request
   * @return true for an upload
   */
  public static boolean isUpload(RequestInfo info) {
    return info.hasBody() && (!info.lengthKnown() || info.contentLength() >= MIN_EVIDENCE_BYTES);
  }

  /**
   * Creates an empty record.
   *
   * @param windowNanos how long an ended upload's rate counts
   */
  public UploadRates(long windowNanos) {
    this.windowNanos = windowNanos;
  }

  /**
   * Records an upload that ended.
   *
   * @param bytes its body bytes read
   * @param transferNanos from its start to its last progress
   * @param nowNanos when it ended
   */
  public void recordEnded(long bytes, long transferNanos, long nowNanos) {
    if (bytes < MIN_EVIDENCE_BYTES || transferNanos <= 0) {
      return;
    }
    double rate = bytes * NANOS_PER_SECOND / transferNanos;
    synchronized (this) {
      rates[next] = rate;
      endedAt[next] = nowNanos;
      next = (next + 1) % CAPACITY;
      size = Math.min(size + 1, CAPACITY);
    }
  }

  /**
   * Estimates the rate to plan a new upload with.
   *
   * @param inflight the uploads in flight
   * @param nowNanos the current time
   * @return bytes per second, the low percentile of the evidence; empty without enough evidence
   */
  OptionalDouble estimate(Collection<TrackedUpload> inflight, long nowNanos) {
    double[] seen = new double[CAPACITY + inflight.size()];
    int count = 0;
    synchronized (this) {
      for (int i = 0; i < size; i++) {
        if (nowNanos - endedAt[i] <= windowNanos) {
          seen[count++] = rates[i];
        }
      }
    }
    for (TrackedUpload upload : inflight) {
      long bytes = upload.bytes();
      // a body that arrived whole is being processed: its rate is that of its arrival
      boolean arrived = upload.info.lengthKnown() && bytes >= upload.info.contentLength();
      long elapsed = (arrived ? upload.lastProgressNanos() : nowNanos) - upload.beganNanos;
      if (bytes >= MIN_EVIDENCE_BYTES && elapsed > 0) {
        seen[count++] = bytes * NANOS_PER_SECOND / elapsed;
      }
    }
    if (count < MIN_OBSERVATIONS) {
      return OptionalDouble.empty();
    }
    Arrays.sort(seen, 0, count);
    int rank = (int) Math.ceil(PERCENTILE * count) - 1; // nearest rank
    return OptionalDouble.of(seen[Math.max(0, rank)]);
  }

  /**
   * Records an upload that ended, from its handle.
   *
   * @param upload the upload, closed
   * @param clock the clock, read only for an upload large enough to count
   */
  void recordEnded(TrackedUpload upload, DrainClock clock) {
    long bytes = upload.bytes();
    if (bytes >= MIN_EVIDENCE_BYTES) {
      recordEnded(bytes, upload.lastProgressNanos() - upload.beganNanos, clock.nanoTime());
    }
  }
}

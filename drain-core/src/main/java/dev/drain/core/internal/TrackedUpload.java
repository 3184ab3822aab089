package dev.drain.core.internal;

import dev.drain.core.DrainClock;
import dev.drain.core.RequestInfo;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.function.LongSupplier;

/** A counted request with a body, whose progress the policy reads. */
final class TrackedUpload extends TrackedRequest {

  private static final VarHandle BYTES;
  private static final VarHandle SERVER_BYTES;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      BYTES = lookup.findVarHandle(TrackedUpload.class, "bytes", long.class);
      SERVER_BYTES = lookup.findVarHandle(TrackedUpload.class, "serverBytes", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final RequestInfo info;
  final long beganNanos;
  private final DrainClock clock;
  @SuppressWarnings("unused") // written through BYTES
  private volatile long bytes;
  private volatile long lastProgressNanos;
  private volatile LongSupplier serverCount;
  @SuppressWarnings("unused") // written through SERVER_BYTES
  private volatile long serverBytes;
  /** The progress time of the stall last reported; a stall after new progress is reported too. */
  private volatile long stallReportedAt;
  private volatile boolean stallReported;

  TrackedUpload(InflightTracker tracker, RequestInfo info, DrainClock clock) {
    super(tracker);
    this.info = info;
    this.clock = clock;
    this.beganNanos = clock.nanoTime();
    this.lastProgressNanos = beganNanos;
  }

  @Override
  public void onBytes(long count) {
    if (count > 0 && !isClosed()) {
      BYTES.getAndAdd(this, count);
      lastProgressNanos = clock.nanoTime();
    }
  }

  @Override
  public void bytesReadFrom(LongSupplier bytesRead) {
    serverCount = Objects.requireNonNull(bytesRead, "bytesRead");
  }

  /**
   * Returns the body bytes read so far: the larger of what {@link #onBytes} reported and the
   * server's own count. Reading a grown server count is progress.
   */
  long bytes() {
    long reported = bytes;
    LongSupplier counter = serverCount;
    if (counter == null) {
      return reported;
    }
    long seen = serverBytes;
    if (!isClosed()) {
      // The server's request is valid until the handle closes; a reader racing the close may
      // read a count of the next request on a recycled object: rare, and only ever a maximum.
      long now = counter.getAsLong();
      while (now > seen) {
        long witness = (long) SERVER_BYTES.compareAndExchange(this, seen, now);
        if (witness == seen) {
          lastProgressNanos = clock.nanoTime();
          break;
        }
        seen = witness;
      }
      seen = Math.max(seen, now);
    }
    return Math.max(reported, seen);
  }

  /** Takes the server's final count while its request is still valid: the upload's evidence. */
  @Override
  void beforeEnd() {
    bytes();
  }

  long lastProgressNanos() {
    bytes(); // pulls the server's count, which may be newer progress
    return lastProgressNanos;
  }

  /**
   * Returns true once per stall: the first time the upload is seen stalled since its last
   * progress.
   */
  synchronized boolean markStallReported() {
    long progress = lastProgressNanos;
    if (stallReported && stallReportedAt == progress) {
      return false;
    }
    stallReported = true;
    stallReportedAt = progress;
    return true;
  }
}

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
  private static final VarHandle LAST_PROGRESS;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      BYTES = lookup.findVarHandle(TrackedUpload.class, "bytes", long.class);
      SERVER_BYTES = lookup.findVarHandle(TrackedUpload.class, "serverBytes", long.class);
      LAST_PROGRESS =
          lookup.findVarHandle(TrackedUpload.class, "lastProgressNanos", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A read this small is stamped with the time whatever the total. */
  private static final long SMALL_READ = 4 * 1024;
  /** The total is stamped each time it crosses a multiple of 2^16 = 64 KiB. */
  private static final int STAMP_SHIFT = 16;

  final RequestInfo info;
  final long beganNanos;
  private final DrainClock clock;
  @SuppressWarnings("unused") // written through BYTES
  private volatile long bytes;
  @SuppressWarnings("unused") // written through LAST_PROGRESS by the reader of the body
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

  /**
   * Adds the bytes with release stores, not an atomic add or a volatile store: the reads of one
   * body are ordered (see {@link dev.drain.core.Inflight#onBytes}), and a fence here would wait,
   * after every read, for the store buffer the read's copy just filled. The clock, which costs
   * more than the rest (about 80 ns on a virtual machine), is read for a small read (a slow
   * client: its every byte is progress), for the first and the last bytes of a declared length,
   * and when the total crosses a 64 KiB mark: a fast body is stamped every 64 KiB, so its last
   * progress and its rate are known to within the time of 64 KiB.
   */
  @Override
  public void onBytes(long count) {
    if (count > 0 && !isClosed()) {
      long before = (long) BYTES.getOpaque(this);
      long after = before + count;
      BYTES.setRelease(this, after);
      if (count < SMALL_READ || before == 0 || (before >>> STAMP_SHIFT) != (after >>> STAMP_SHIFT)
          || (info.lengthKnown() && after >= info.contentLength())) {
        LAST_PROGRESS.setRelease(this, clock.nanoTime());
      }
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

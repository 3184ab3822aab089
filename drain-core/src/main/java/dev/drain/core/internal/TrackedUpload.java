package dev.drain.core.internal;

import dev.drain.core.DrainClock;
import dev.drain.core.RequestInfo;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** A counted request with a body, whose progress the policy reads. */
final class TrackedUpload extends TrackedRequest {

  private static final VarHandle BYTES;

  static {
    try {
      BYTES = MethodHandles.lookup().findVarHandle(TrackedUpload.class, "bytes", long.class);
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

  long bytes() {
    return bytes;
  }

  long lastProgressNanos() {
    return lastProgressNanos;
  }

  /** Returns true the first time only, so each stall is reported once. */
  boolean markStallReported() {
    if (stallReported) {
      return false;
    }
    stallReported = true;
    return true;
  }
}

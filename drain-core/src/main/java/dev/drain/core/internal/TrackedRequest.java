package dev.drain.core.internal;

import dev.drain.core.Inflight;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** A counted request without a body: one counter update in, one out. */
class TrackedRequest implements Inflight {

  private static final VarHandle CLOSED;

  static {
    try {
      CLOSED = MethodHandles.lookup().findVarHandle(TrackedRequest.class, "closed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final InflightTracker tracker;
  @SuppressWarnings("unused") // written through CLOSED
  private volatile int closed;

  TrackedRequest(InflightTracker tracker) {
    this.tracker = tracker;
  }

  @Override
  public void onBytes(long bytes) {
    // A bodyless request has no body to count.
  }

  @Override
  public final void close() {
    if ((int) CLOSED.getAndSet(this, 1) == 0) {
      tracker.end(this);
    }
  }

  final boolean isClosed() {
    return closed != 0;
  }

  @Override
  public final boolean tracked() {
    return true;
  }
}

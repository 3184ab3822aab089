package dev.drain.core.internal;

import dev.drain.core.Inflight;
import dev.drain.core.RequestInfo;
import dev.drain.core.ReusableInflight;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** A bodyless request handle that is re-armed per request instead of allocated. */
final class ReusableRequest implements ReusableInflight, Inflight {

  private static final VarHandle OPEN;

  static {
    try {
      OPEN = MethodHandles.lookup().findVarHandle(ReusableRequest.class, "open", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final InflightTracker tracker;
  @SuppressWarnings("unused") // written through OPEN
  private volatile int open;

  ReusableRequest(InflightTracker tracker) {
    this.tracker = tracker;
  }

  @Override
  public Inflight begin(RequestInfo info) {
    if (info.hasBody()) {
      return tracker.begin(info);
    }
    if (open != 0) {
      throw new IllegalStateException("the previous request on this handle is still open");
    }
    if (!tracker.enter()) {
      return InflightTracker.UNTRACKED;
    }
    open = 1;
    return this;
  }

  @Override
  public void onBytes(long bytes) {
    // A bodyless request has no body to count.
  }

  @Override
  public void close() {
    if ((int) OPEN.compareAndExchange(this, 1, 0) == 1) {
      tracker.exit();
    }
  }

  @Override
  public boolean tracked() {
    return true;
  }
}

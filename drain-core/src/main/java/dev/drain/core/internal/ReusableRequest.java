package dev.drain.core.internal;

import dev.drain.core.Inflight;
import dev.drain.core.RequestInfo;
import dev.drain.core.ReusableInflight;

/**
 * A bodyless request handle that is reopened per request instead of allocated. Its begins and
 * closes come from one thread at a time, in order (a connection's event loop), as {@link
 * ReusableInflight} requires; so a close needs no compare-and-set, and a request costs two
 * uncontended adds on the thread's counter cell and nothing else.
 */
final class ReusableRequest extends TrackedRequest implements ReusableInflight {

  ReusableRequest(InflightTracker tracker) {
    super(tracker, true);
  }

  @Override
  public Inflight begin(RequestInfo info) {
    if (info.hasBody()) {
      return tracker.begin(info);
    }
    if (!isClosed()) {
      throw new IllegalStateException("the previous request on this handle is still open");
    }
    if (!tracker.enter()) {
      return InflightTracker.UNTRACKED;
    }
    reopen();
    return this;
  }

  /** Without a compare-and-set: begins and ends of this handle come in order from one thread. */
  @Override
  void end(boolean aborted) {
    if ((int) CLOSED.getAcquire(this) == 0) {
      CLOSED.setRelease(this, 1);
      if (aborted) {
        tracker.abort(this);
      } else {
        tracker.end(this);
      }
    }
  }
}

package dev.drain.core.internal;

import dev.drain.core.Inflight;
import dev.drain.core.RequestInfo;
import dev.drain.core.ReusableInflight;

/** A bodyless request handle that is reopened per request instead of allocated. */
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
}

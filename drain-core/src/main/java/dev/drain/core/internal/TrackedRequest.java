package dev.drain.core.internal;

import dev.drain.core.Inflight;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** A counted request without a body: one counter update in, one out. */
class TrackedRequest implements Inflight {

  static final VarHandle CLOSED;

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

  /** An open request: the tracker has counted it in. */
  TrackedRequest(InflightTracker tracker) {
    this.tracker = tracker;
  }

  /** A handle that starts closed, to be opened by {@link #reopen()}. */
  TrackedRequest(InflightTracker tracker, boolean closed) {
    this.tracker = tracker;
    if (closed) {
      this.closed = 1;
    }
  }

  @Override
  public void onBytes(long bytes) {
    // A bodyless request has no body to count.
  }

  @Override
  public void close() {
    end(false);
  }

  @Override
  public void abort() {
    end(true);
  }

  /** Ends the request once, whichever of {@link #close()} and {@link #abort()} comes first. */
  void end(boolean aborted) {
    if (closed == 0) {
      beforeEnd();
    }
    if ((int) CLOSED.compareAndExchange(this, 0, 1) == 0) {
      if (aborted) {
        tracker.abort(this);
      } else {
        tracker.end(this);
      }
    }
  }

  /**
   * Runs once or more just before the first close, while the server's request is still valid;
   * bodyless requests have nothing to do.
   */
  void beforeEnd() {}

  /**
   * Opens the handle again for the next request, which the tracker has counted in. A release
   * store: the handle's thread is the only one that uses it (see {@link ReusableRequest}).
   */
  final void reopen() {
    CLOSED.setRelease(this, 0);
  }

  final boolean isClosed() {
    return closed != 0;
  }

  @Override
  public final boolean tracked() {
    return true;
  }
}

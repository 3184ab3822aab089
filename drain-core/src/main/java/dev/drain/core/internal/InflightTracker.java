package dev.drain.core.internal;

import dev.drain.core.DrainClock;
import dev.drain.core.DrainResult;
import dev.drain.core.Inflight;
import dev.drain.core.RequestInfo;
import dev.drain.core.ReusableInflight;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts requests in flight and keeps uploads where the policy can see their progress. A bodyless
 * request costs one update of its thread's counter cell in and one out; an upload is also
 * registered. The count is exact once {@link #seal()} ran, which the drain does when it starts.
 */
public final class InflightTracker {

  /** The handle of a request that began after the drain completed. */
  static final Inflight UNTRACKED =
      new Inflight() {
        @Override
        public void onBytes(long bytes) {}

        @Override
        public void close() {}

        @Override
        public boolean tracked() {
          return false;
        }
      };

  private final InflightCounter counter;
  private final Set<TrackedUpload> uploads = ConcurrentHashMap.newKeySet();
  private final DrainClock clock;
  private final UploadRates rates;
  /** Requests aborted while a drain ran: cut, though no deadline cut them. */
  private final java.util.Queue<DrainResult.CutRequest> abortedUploads =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.LongAdder abortedWithoutBody =
      new java.util.concurrent.atomic.LongAdder();
  /** Set when the drain starts ({@link #seal()}): aborts are recorded from then on. */
  private volatile boolean draining;

  /**
   * Creates a tracker.
   *
   * @param clock the clock uploads read
   * @param onQuiescent run once when the count reaches zero after {@link #startClosing()}
   * @param rates where ended uploads leave their rate
   */
  public InflightTracker(DrainClock clock, Runnable onQuiescent, UploadRates rates) {
    this.clock = clock;
    this.counter = new InflightCounter(onQuiescent);
    this.rates = rates;
  }

  /**
   * Begins tracking a request.
   *
   * @param info the request
   * @return its handle; an untracked no-op handle when the drain already completed
   */
  public Inflight begin(RequestInfo info) {
    if (!counter.enter()) {
      return UNTRACKED;
    }
    if (!info.hasBody()) {
      return new TrackedRequest(this);
    }
    TrackedUpload upload = new TrackedUpload(this, info, clock);
    uploads.add(upload);
    return upload;
  }

  /**
   * Returns a handle that tracks one bodyless request after another without allocating.
   *
   * @return the reusable handle
   */
  public ReusableInflight reusable() {
    return new ReusableRequest(this);
  }

  boolean enter() {
    return counter.enter();
  }

  void end(TrackedRequest request) {
    if (request instanceof TrackedUpload upload) {
      uploads.remove(upload);
      rates.recordEnded(upload, clock);
    }
    counter.exit();
  }

  /**
   * Ends a request that did not end the normal way (see {@link Inflight#abort()}): while a drain
   * runs and has not completed, it is recorded as cut first, so that the drain's result lists it
   * when the count reaches zero through this very end.
   */
  void abort(TrackedRequest request) {
    if (draining && !counter.done()) {
      if (request instanceof TrackedUpload upload) {
        abortedUploads.add(new DrainResult.CutRequest(upload.info.method(), upload.info.path(),
            upload.bytes(), upload.info.contentLength()));
      } else {
        abortedWithoutBody.increment();
      }
    }
    end(request);
  }

  /**
   * Returns the uploads aborted since the drain started.
   *
   * @return a snapshot, in the order they were aborted
   */
  public List<DrainResult.CutRequest> abortedUploads() {
    return new ArrayList<>(abortedUploads);
  }

  /**
   * Returns how many bodyless requests were aborted since the drain started.
   *
   * @return the count
   */
  public long abortedWithoutBody() {
    return abortedWithoutBody.sum();
  }

  /** Makes the count exact from now on; see {@link InflightCounter#seal()}. */
  public void seal() {
    draining = true;
    counter.seal();
  }

  /** Starts waiting for the count to reach zero. */
  public void startClosing() {
    counter.startClosing();
  }

  /**
   * Completes now, whatever is in flight.
   *
   * @return true if this call completed the tracker
   */
  public boolean forceDone() {
    return counter.forceDone();
  }

  /**
   * Returns the number of requests in flight.
   *
   * @return the count; exact once sealed, a moment's sum of the cells before
   */
  public long inflight() {
    return counter.count();
  }

  /**
   * Returns the uploads in flight, in no order.
   *
   * @return a snapshot
   */
  List<TrackedUpload> uploads() {
    return new ArrayList<>(uploads);
  }

  /**
   * Estimates the rate to plan a new upload with, from the uploads observed here.
   *
   * @param nowNanos the current time
   * @return bytes per second; empty without enough evidence
   */
  OptionalDouble observedUploadRate(long nowNanos) {
    return rates.estimate(uploads(), nowNanos);
  }

  /**
   * Returns the number of uploads in flight.
   *
   * @return the count
   */
  public int uploadCount() {
    return uploads.size();
  }
}

package dev.drain.core.internal;

import dev.drain.core.Admission;
import dev.drain.core.DrainConfig;
import dev.drain.core.DrainResult;
import dev.drain.core.DrainStatus;
import dev.drain.core.RequestInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The upload-aware rules: estimates when each upload finishes from its observed progress, refuses
 * uploads that cannot finish before the deadline, finds stalled uploads and says which setting
 * would let an upload finish.
 */
public final class UploadPolicy {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final DrainConfig config;

  /**
   * Creates the policy.
   *
   * @param config the settings it reads
   */
  public UploadPolicy(DrainConfig config) {
    this.config = config;
  }

  /**
   * Decides on a request that arrives while draining. An upload of known length is refused only
   * when it cannot arrive before the deadline at the rate this instance has seen uploads arrive
   * ({@link UploadRates}: the low percentile of recent uploads). Without that evidence it is
   * admitted while the server still accepts connections (the proxy still sends here, and a guess
   * would turn an upload that may finish into a failure), and planned at the minimum client rate
   * after that.
   *
   * @param info the request
   * @param nowNanos the current time
   * @param deadlineNanos when the drain ends at the latest
   * @param accepting whether the server still accepts connections (propagation delay, quiet
   *     period)
   * @param tracker the tracker, whose uploads are the evidence
   * @return admitted, or refused when the upload cannot finish before the deadline and refusing
   *     is enabled
   */
  public Admission admit(
      RequestInfo info, long nowNanos, long deadlineNanos, boolean accepting,
      InflightTracker tracker) {
    if (!config.refuseUploadsThatCannotFinish() || !UploadRates.isUpload(info)
        || !info.lengthKnown()) {
      return Admission.admit(); // a small body is never worth a 503; an unknown one is watched
    }
    OptionalDouble observed = tracker.observedUploadRate(nowNanos);
    if (observed.isEmpty() && accepting) {
      return Admission.admit();
    }
    double rate = observed.orElse(config.minClientRate());
    long needed = (long) Math.ceil(info.contentLength() / rate * NANOS_PER_SECOND);
    long left = deadlineNanos - nowNanos;
    if (needed <= left) {
      return Admission.admit();
    }
    String basis = observed.isPresent()
        ? "the rate 9 in 10 recent uploads here reached, " + (long) rate + " bytes/s"
        : "drain.min-client-rate, " + (long) rate + " bytes/s (no uploads observed here yet)";
    return Admission.refuse(
        "draining: an upload of " + info.contentLength() + " bytes needs " + seconds(needed)
            + " at " + basis + ", but " + seconds(Math.max(0, left))
            + " are left before the drain deadline",
        config.retryAfter());
  }

  /**
   * Estimates how long an upload still takes: the rest of its declared length at its observed
   * rate, or at the minimum client rate before its first byte.
   *
   * @param upload the upload
   * @param nowNanos the current time
   * @return nanoseconds, or -1 when its length is unknown
   */
  long remainingNanos(TrackedUpload upload, long nowNanos) {
    if (!upload.info.lengthKnown()) {
      return -1;
    }
    long done = upload.bytes();
    long rest = Math.max(0, upload.info.contentLength() - done);
    double rate = rate(upload, nowNanos);
    if (rate <= 0) {
      return nanosFor(rest, config.minClientRate());
    }
    return (long) Math.ceil(rest / rate * NANOS_PER_SECOND);
  }

  /**
   * Returns the upload's snapshot for the status.
   *
   * @param upload the upload
   * @param nowNanos the current time
   * @return the snapshot
   */
  DrainStatus.Upload describe(TrackedUpload upload, long nowNanos) {
    long remaining = remainingNanos(upload, nowNanos);
    return new DrainStatus.Upload(
        upload.info.method(),
        upload.info.path(),
        upload.bytes(),
        upload.info.contentLength(),
        rate(upload, nowNanos),
        remaining < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(remaining)),
        stalled(upload, nowNanos));
  }

  /**
   * Returns a snapshot of every upload in flight.
   *
   * @param tracker the tracker
   * @param nowNanos the current time
   * @return the snapshots
   */
  public List<DrainStatus.Upload> describeAll(InflightTracker tracker, long nowNanos) {
    List<DrainStatus.Upload> result = new ArrayList<>();
    for (TrackedUpload upload : tracker.uploads()) {
      result.add(describe(upload, nowNanos));
    }
    return result;
  }

  /**
   * Returns the uploads in flight as cut requests, for a drain that reached its deadline.
   *
   * @param tracker the tracker
   * @return what is cut
   */
  public List<DrainResult.CutRequest> cut(InflightTracker tracker) {
    List<DrainResult.CutRequest> cut = new ArrayList<>();
    for (TrackedUpload upload : tracker.uploads()) {
      cut.add(new DrainResult.CutRequest(
          upload.info.method(), upload.info.path(), upload.bytes(), upload.info.contentLength()));
    }
    return cut;
  }

  /**
   * Returns, once per upload, the uploads that made no progress for the stall timeout.
   *
   * @param tracker the tracker
   * @param nowNanos the current time
   * @return the newly stalled uploads
   */
  public List<DrainStatus.Upload> newlyStalled(InflightTracker tracker, long nowNanos) {
    List<DrainStatus.Upload> stalled = new ArrayList<>();
    for (TrackedUpload upload : tracker.uploads()) {
      if (stalled(upload, nowNanos) && upload.markStallReported()) {
        stalled.add(describe(upload, nowNanos));
      }
    }
    return stalled;
  }

  /**
   * Explains each upload that cannot finish before the deadline, with the grace period that
   * would let it finish.
   *
   * @param tracker the tracker
   * @param drainStartNanos when the drain started
   * @param nowNanos the current time
   * @param deadlineNanos the drain deadline
   * @return one line per upload that cannot finish, or of unknown length
   */
  public List<String> unfinishable(
      InflightTracker tracker, long drainStartNanos, long nowNanos, long deadlineNanos) {
    List<String> lines = new ArrayList<>();
    for (TrackedUpload upload : tracker.uploads()) {
      String what = upload.info.method() + " " + upload.info.path() + " (" + upload.bytes()
          + " of " + (upload.info.lengthKnown() ? upload.info.contentLength() + " bytes)"
              : "unknown length)");
      long remaining = remainingNanos(upload, nowNanos);
      if (remaining < 0) {
        lines.add(what + ": length unknown, cannot estimate; it is waited for until the deadline");
      } else if (remaining > deadlineNanos - nowNanos) {
        long graceNanos = config.preStopDuration().toNanos() + (nowNanos - drainStartNanos)
            + remaining + config.safetyMargin().toNanos();
        long graceSeconds = ceilSeconds(graceNanos);
        lines.add(what + ": needs about " + seconds(remaining) + " more, "
            + seconds(Math.max(0, deadlineNanos - nowNanos)) + " are left; it would finish with "
            + "drain.grace-period >= " + graceSeconds + "s (terminationGracePeriodSeconds >= "
            + graceSeconds + ")");
      }
    }
    return lines;
  }

  private boolean stalled(TrackedUpload upload, long nowNanos) {
    return nowNanos - upload.lastProgressNanos() >= config.stallTimeout().toNanos();
  }

  private static double rate(TrackedUpload upload, long nowNanos) {
    long elapsed = nowNanos - upload.beganNanos;
    long done = upload.bytes();
    if (done <= 0 || elapsed <= 0) {
      return 0;
    }
    return done * (double) NANOS_PER_SECOND / elapsed;
  }

  static long nanosFor(long bytes, long bytesPerSecond) {
    return (long) Math.ceil(bytes * (double) NANOS_PER_SECOND / bytesPerSecond);
  }

  static long ceilSeconds(long nanos) {
    return (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1fs", nanos / (double) NANOS_PER_SECOND);
  }
}

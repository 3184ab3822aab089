package dev.drain.core.internal;

import static dev.drain.core.DrainConfig.MEBIBYTE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drain.core.DrainConfig;
import dev.drain.core.Inflight;
import dev.drain.core.ManualClock;
import dev.drain.core.RequestInfo;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnfinishableUploadTest {

  private final ManualClock clock = new ManualClock();
  private final DrainConfig config = DrainConfig.builder().clock(clock)
      .gracePeriod(Duration.ofSeconds(30)).safetyMargin(Duration.ofSeconds(2)).build();
  private final InflightTracker tracker = new InflightTracker(clock, () -> {},
      new UploadRates(config.uploadRateWindow().toNanos()));
  private final UploadPolicy policy = new UploadPolicy(config);

  @Test
  void uploadThatCannotFinishIsExplainedWithTheSettingThatWouldLetItFinish() {
    Inflight upload = tracker.begin(new RequestInfo("POST", "/upload", 50 * MEBIBYTE));
    Inflight fits = tracker.begin(new RequestInfo("POST", "/small", MEBIBYTE));
    clock.advance(Duration.ofSeconds(1));
    upload.onBytes(MEBIBYTE); // 1 MB/s, 49 s to go, 28 s budget
    fits.onBytes(MEBIBYTE / 2);
    long now = clock.nanoTime();

    assertThat(policy.unfinishable(tracker, now, now, now + config.drainBudget().toNanos()))
        .singleElement().asString()
        .contains("POST /upload (1048576 of 52428800 bytes)")
        .contains("needs about 49.0s more, 28.0s are left")
        .contains("drain.grace-period >= 51s (terminationGracePeriodSeconds >= 51)");
  }

  @Test
  void unknownLengthIsReportedAsNotEstimable() {
    tracker.begin(new RequestInfo("POST", "/chunked", RequestInfo.UNKNOWN_LENGTH));
    long now = clock.nanoTime();
    assertThat(policy.unfinishable(tracker, now, now, now + 1)).singleElement().asString()
        .contains("POST /chunked (0 of unknown length)").contains("cannot estimate");
  }

  @Test
  void aDeadlineFarAwayDoesNotOverflowTheComparison() {
    Inflight upload = tracker.begin(new RequestInfo("POST", "/upload", Long.MAX_VALUE / 2));
    clock.advance(Duration.ofSeconds(1));
    upload.onBytes(1); // 1 B/s: the estimate is centuries
    long now = clock.nanoTime();
    assertThat(policy.unfinishable(tracker, now, now, now + Duration.ofDays(365).toNanos()))
        .singleElement().asString().contains("POST /upload").contains("would finish with");
  }

  @Test
  void closedUploadsLeaveTheRegistry() {
    Inflight upload = tracker.begin(new RequestInfo("POST", "/upload", 10));
    assertThat(tracker.uploadCount()).isEqualTo(1);
    upload.close();
    upload.close();
    upload.onBytes(5);
    assertThat(tracker.uploadCount()).isZero();
    assertThat(tracker.inflight()).isZero();
  }
}

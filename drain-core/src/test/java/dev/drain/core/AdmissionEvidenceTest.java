package dev.drain.core;

import static dev.drain.core.DrainConfig.MEBIBYTE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Admission plans a new upload with the rates this instance observed, not with the configured
 * worst case: the rollout of issue 11, where three 50 MB uploads at 10 MB/s were refused during the
 * propagation delay although each would have finished in 5 s.
 */
class AdmissionEvidenceTest {

  private static final long MB = MEBIBYTE;

  private final ManualClock clock = new ManualClock();

  /** Grace 30 s, margin 2 s: a 28 s budget; a 2 s propagation delay; 1 MB/s fallback. */
  private Drain drain(Duration propagationDelay) {
    Drain drain = Drain.builder().config(DrainConfig.builder()
        .gracePeriod(Duration.ofSeconds(30)).safetyMargin(Duration.ofSeconds(2))
        .propagationDelay(propagationDelay).quietPeriod(Duration.ZERO)
        .minClientRate(MB).uploadRateWindow(Duration.ofMinutes(10))
        .clock(clock).build()).build();
    drain.markReady();
    return drain;
  }

  /** An upload of {@code bytes} that arrives at {@code bytesPerSecond}, start to end. */
  private void observeUpload(Drain drain, long bytes, long bytesPerSecond) {
    Inflight upload = drain.begin(new RequestInfo("POST", "/upload", bytes));
    clock.advance(Duration.ofNanos(bytes * 1_000_000_000L / bytesPerSecond));
    upload.onBytes(bytes);
    upload.close();
  }

  private static RequestInfo upload(long bytes) {
    return new RequestInfo("POST", "/upload", bytes);
  }

  @Test
  void withoutEvidenceAnUploadDuringThePropagationDelayIsAdmitted() {
    Drain drain = drain(Duration.ofSeconds(2));
    drain.startDrain("SIGTERM");
    clock.advance(Duration.ofMillis(900)); // 27.1 s left: 50 MB at 1 MB/s would need 50 s

    Admission decision = drain.admit(upload(50 * MB));

    assertThat(decision.admitted()).as(decision.reason()).isTrue();
    assertThat(drain.status().refused()).isZero();
  }

  @Test
  void withoutEvidenceAnUploadAfterStopAcceptingIsPlannedAtTheMinimumClientRate() {
    Drain drain = drain(Duration.ofSeconds(2));
    Inflight holder = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    drain.startDrain("SIGTERM");
    clock.advance(Duration.ofSeconds(3)); // past the delay: no longer accepting, 25 s left

    Admission decision = drain.admit(upload(50 * MB));

    assertThat(decision.admitted()).isFalse();
    assertThat(decision.reason()).contains("needs 50.0s").contains("drain.min-client-rate")
        .contains("no uploads observed here yet").contains("25.0s are left");
    holder.close();
  }

  @Test
  void steadyEvidenceAdmitsWhatFinishesAndRefusesWhatCannot() {
    Drain drain = drain(Duration.ofSeconds(2));
    for (int i = 0; i < 5; i++) {
      observeUpload(drain, 50 * MB, 10 * MB);
    }
    drain.startDrain("SIGTERM");
    clock.advance(Duration.ofMillis(900));

    assertThat(drain.admit(upload(50 * MB)).admitted()).isTrue(); // 5 s of 27.1 s
    assertThat(drain.admit(upload(512)).admitted()).isTrue(); // a small POST: not an upload
    Admission tooLarge = drain.admit(upload(500 * MB)); // 50 s
    assertThat(tooLarge.admitted()).isFalse();
    assertThat(tooLarge.reason()).contains("needs 50.0s")
        .contains("the rate 9 in 10 recent uploads here reached, " + 10 * MB + " bytes/s");

    DrainResult result = drain.completion().toCompletableFuture().getNow(null);
    assertThat(result).as("nothing in flight: the drain is waiting for the delay").isNull();
    clock.advance(Duration.ofSeconds(2));
    result = drain.completion().toCompletableFuture().join();
    assertThat(result.admittedUploads()).isEqualTo(1);
    assertThat(result.refused()).isEqualTo(1);
  }

  @Test
  void evidenceOfSlowClientsRefusesEvenDuringTheDelay() {
    Drain drain = drain(Duration.ofSeconds(2));
    for (int i = 0; i < 3; i++) {
      observeUpload(drain, 4 * MB, MB / 2);
    }
    drain.startDrain("SIGTERM");

    Admission decision = drain.admit(upload(20 * MB)); // 40 s at 512 KiB/s, 28 s left

    assertThat(decision.admitted()).isFalse();
    assertThat(decision.reason()).contains("needs 40.0s").contains("recent uploads here");
  }

  @Test
  void mixedClientsArePlannedWithTheSlowTenthButOneSlowClientIsNotEnough() {
    Drain oneSlow = drain(Duration.ofSeconds(2));
    observeUpload(oneSlow, 2 * MB, MB / 4);
    for (int i = 0; i < 19; i++) {
      observeUpload(oneSlow, 50 * MB, 10 * MB);
    }
    oneSlow.startDrain("SIGTERM");
    // 1 slow of 20: the 10th percentile (nearest rank 2) is a fast client: 50 MB in 5 s
    assertThat(oneSlow.admit(upload(50 * MB)).admitted()).isTrue();

    Drain manySlow = drain(Duration.ofSeconds(2));
    for (int i = 0; i < 5; i++) {
      observeUpload(manySlow, 2 * MB, MB / 4);
    }
    for (int i = 0; i < 15; i++) {
      observeUpload(manySlow, 50 * MB, 10 * MB);
    }
    manySlow.startDrain("SIGTERM");
    // 5 slow of 20: the 10th percentile is a slow client: 50 MB at 256 KiB/s needs 200 s
    Admission decision = manySlow.admit(upload(50 * MB));
    assertThat(decision.admitted()).isFalse();
    assertThat(decision.reason()).contains("needs 200.0s");
  }

  @Test
  void anInstanceThatOnlySawSmallBodiesHasNoEvidence() {
    Drain drain = drain(Duration.ofSeconds(2));
    for (int i = 0; i < 50; i++) {
      observeUpload(drain, 64 * 1024, MB / 100); // slow, but bodies in one socket buffer
    }
    drain.startDrain("SIGTERM");

    assertThat(drain.admit(upload(50 * MB)).admitted()).isTrue(); // no evidence, still accepting
  }

  @Test
  void evidenceOlderThanTheWindowIsForgotten() {
    Drain drain = drain(Duration.ZERO);
    Inflight holder = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    for (int i = 0; i < 3; i++) {
      observeUpload(drain, 50 * MB, 10 * MB);
    }
    clock.advance(Duration.ofMinutes(11));
    drain.startDrain("SIGTERM");
    clock.runDue(); // no delay: stops accepting now

    Admission decision = drain.admit(upload(50 * MB));

    assertThat(decision.admitted()).isFalse();
    assertThat(decision.reason()).contains("no uploads observed here yet");
    holder.close();
  }

  @Test
  void uploadsInFlightAreEvidenceAndAStallLowersIt() {
    Drain drain = drain(Duration.ofSeconds(2));
    Inflight[] flowing = new Inflight[3];
    for (int i = 0; i < flowing.length; i++) {
      flowing[i] = drain.begin(upload(100 * MB));
    }
    clock.advance(Duration.ofSeconds(2));
    for (Inflight upload : flowing) {
      upload.onBytes(20 * MB); // 10 MB/s so far
    }
    drain.startDrain("SIGTERM");
    assertThat(drain.admit(upload(50 * MB)).admitted()).isTrue();

    clock.advance(Duration.ofSeconds(18)); // no progress: 20 MB in 20 s is 1 MB/s, 10 s left
    Admission decision = drain.admit(upload(50 * MB));
    assertThat(decision.admitted()).isFalse();
    assertThat(decision.reason()).contains("needs 50.0s").contains(MB + " bytes/s");
    for (Inflight upload : flowing) {
      upload.close();
    }
  }

  @Test
  void bodiesTheServerReadItselfAreEvidenceToo() {
    Drain drain = drain(Duration.ofSeconds(2));
    for (int i = 0; i < 3; i++) { // a multipart or form body: only the server's count grows
      AtomicLong serverCount = new AtomicLong();
      Inflight upload = drain.begin(upload(4 * MB));
      upload.bytesReadFrom(serverCount::get);
      clock.advance(Duration.ofSeconds(8));
      serverCount.set(4 * MB); // 512 KiB/s, never read by anyone before the close
      upload.close();
    }
    drain.startDrain("SIGTERM");

    Admission decision = drain.admit(upload(20 * MB)); // 40 s at 512 KiB/s, 28 s left

    assertThat(decision.admitted()).isFalse();
    assertThat(decision.reason()).contains("needs 40.0s").contains("recent uploads here");
  }

  @Test
  void aBodyThatArrivedWholeIsNotSlowedByItsProcessing() {
    Drain drain = drain(Duration.ofSeconds(2));
    Inflight[] processing = new Inflight[3];
    for (int i = 0; i < processing.length; i++) {
      processing[i] = drain.begin(upload(10 * MB));
    }
    clock.advance(Duration.ofSeconds(1));
    for (Inflight upload : processing) {
      upload.onBytes(10 * MB); // arrived at 10 MB/s
    }
    clock.advance(Duration.ofSeconds(60)); // then a minute of work on it
    drain.startDrain("SIGTERM");

    assertThat(drain.admit(upload(50 * MB)).admitted()).isTrue(); // 5 s at 10 MB/s
    for (Inflight upload : processing) {
      upload.close();
    }
  }

  @Test
  void refusingDisabledAdmitsWhateverTheEvidence() {
    Drain drain = Drain.builder().config(DrainConfig.builder()
        .gracePeriod(Duration.ofSeconds(30)).propagationDelay(Duration.ZERO)
        .refuseUploadsThatCannotFinish(false).clock(clock).build()).build();
    drain.markReady();
    for (int i = 0; i < 3; i++) {
      observeUpload(drain, 4 * MB, MB / 2);
    }
    drain.startDrain("SIGTERM");

    assertThat(drain.admit(upload(500 * MB)).admitted()).isTrue();
  }
}

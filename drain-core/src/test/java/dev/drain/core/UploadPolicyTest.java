package dev.drain.core;

import static dev.drain.core.DrainConfig.MEBIBYTE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UploadPolicyTest {

  private static final long MB = MEBIBYTE;

  private final ManualClock clock = new ManualClock();
  private final Recorder recorder = new Recorder();

  private Drain drain(DrainConfig.Builder config) {
    Drain drain = Drain.builder().config(config.clock(clock).build()).listener(recorder).build();
    drain.markReady();
    return drain;
  }

  private static DrainConfig.Builder config() {
    return DrainConfig.builder()
        .gracePeriod(Duration.ofSeconds(30))
        .safetyMargin(Duration.ofSeconds(2))
        .propagationDelay(Duration.ZERO)
        .quietPeriod(Duration.ZERO)
        .minClientRate(MB);
  }

  @Test
  void uploadAt5MbPerSecondWith10MbDoneIsEstimatedAt8SecondsAndWaitedFor() {
    Drain drain = drain(config());
    Inflight upload = drain.begin(new RequestInfo("POST", "/upload", 50 * MB));
    clock.advance(Duration.ofSeconds(2));
    upload.onBytes(10 * MB);

    drain.startDrain("SIGTERM");
    clock.runDue();

    DrainStatus.Upload status = drain.status().uploads().get(0);
    assertThat(status.bytesPerSecond()).isEqualTo(5.0 * MB);
    assertThat(status.estimatedRemaining()).contains(Duration.ofSeconds(8));
    for (int second = 0; second < 8; second++) {
      clock.advance(Duration.ofSeconds(1));
      upload.onBytes(5 * MB);
    }
    assertThat(drain.completion().toCompletableFuture()).isNotDone();
    upload.close();

    DrainResult result = drain.completion().toCompletableFuture().join();
    assertThat(result.clean()).isTrue();
    assertThat(result.duration()).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void newUploadThatCannotFinishInTheRemainingBudgetIsRefused() {
    Drain drain = drain(config());
    Inflight holder = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    drain.startDrain("SIGTERM");
    clock.advance(Duration.ofSeconds(18)); // 28 s budget, 10 s left

    Admission decision = drain.admit(new RequestInfo("POST", "/upload", 50 * MB));

    assertThat(decision.admitted()).isFalse();
    assertThat(decision.reason()).contains("52428800 bytes needs 50.0s").contains("10.0s are left");
    assertThat(decision.retryAfterSeconds()).isEqualTo(1);
    assertThat(drain.status().refused()).isEqualTo(1);
    assertThat(recorder.of(DrainEvent.UploadRefused.class)).hasSize(1);
    holder.close();
  }

  @ParameterizedTest(name = "{0} bytes with {1}s left, refuse={2} -> admitted={3}")
  @CsvSource({
    // length, seconds elapsed of the 28 s budget, refuse flag, admitted
    "0,          27, true,  true",   // bodyless: always admitted
    "-1,         27, true,  true",   // unknown length: admitted and reported
    "10485760,   18, true,  true",   // 10 MB needs 10 s, 10 s left
    "10485761,   18, true,  false",  // one byte more does not fit
    "52428800,   18, false, true",   // refusing disabled
    "1048576,    0,  true,  true",
  })
  void admissionTable(long length, long elapsed, boolean refuse, boolean admitted) {
    Drain drain = drain(config().refuseUploadsThatCannotFinish(refuse));
    Inflight holder = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    drain.startDrain("SIGTERM");
    clock.advance(Duration.ofSeconds(elapsed));

    assertThat(drain.admit(new RequestInfo("POST", "/upload", length)).admitted())
        .isEqualTo(admitted);
    holder.close();
  }

  @Test
  void beforeDrainingEverythingIsAdmitted() {
    Drain drain = drain(config());
    assertThat(drain.admit(new RequestInfo("POST", "/upload", 1L << 40)).admitted()).isTrue();
    assertThat(drain.status().refused()).isZero();
  }

  @Test
  void unknownLengthIsAdmittedAndReportedWithoutAnEstimate() {
    Drain drain = drain(config());
    Inflight holder = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    drain.startDrain("SIGTERM");
    clock.runDue();
    RequestInfo info = new RequestInfo("POST", "/upload", RequestInfo.UNKNOWN_LENGTH);
    assertThat(drain.admit(info).admitted()).isTrue();
    Inflight chunked = drain.begin(info);
    chunked.onBytes(1000);

    DrainStatus.Upload status = drain.status().uploads().get(0);
    assertThat(status.declaredLength()).isEqualTo(-1);
    assertThat(status.bytesDone()).isEqualTo(1000);
    assertThat(status.estimatedRemaining()).isEmpty();
    assertThat(drain.status().toJson()).contains("\"declaredLength\":-1")
        .contains("\"estimatedRemainingMillis\":null");
    holder.close();
    assertThat(drain.completion().toCompletableFuture()).isNotDone();
    chunked.close();
    assertThat(drain.completion().toCompletableFuture()).isCompleted();
  }

  @Test
  void stallIsReportedOnceAfterTheStallTimeoutAndNotCut() {
    Drain drain = drain(config().stallTimeout(Duration.ofSeconds(4)));
    Inflight upload = drain.begin(new RequestInfo("POST", "/upload", 10 * MB));
    upload.onBytes(MB);
    drain.startDrain("SIGTERM");

    clock.advance(Duration.ofMillis(3999));
    assertThat(recorder.of(DrainEvent.StallDetected.class)).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(recorder.of(DrainEvent.StallDetected.class)).hasSize(1);
    assertThat(recorder.of(DrainEvent.StallDetected.class).get(0).upload().stalled()).isTrue();
    clock.advance(Duration.ofSeconds(10));
    assertThat(recorder.of(DrainEvent.StallDetected.class)).hasSize(1);
    assertThat(drain.inflight()).isEqualTo(1);
    assertThat(drain.completion().toCompletableFuture()).isNotDone();
    upload.close();
    assertThat(drain.completion().toCompletableFuture().join().clean()).isTrue();
  }

  @Test
  void anUploadThatStallsAgainAfterResumingIsReportedAgain() {
    Drain drain = drain(config().stallTimeout(Duration.ofSeconds(4)));
    Inflight upload = drain.begin(new RequestInfo("POST", "/upload", 10 * MB));
    upload.onBytes(MB);
    drain.startDrain("SIGTERM");

    clock.advance(Duration.ofSeconds(5));
    assertThat(recorder.of(DrainEvent.StallDetected.class)).hasSize(1);
    upload.onBytes(MB); // resumes
    clock.advance(Duration.ofSeconds(2));
    assertThat(recorder.of(DrainEvent.StallDetected.class)).hasSize(1);
    clock.advance(Duration.ofSeconds(4)); // stalls again
    assertThat(recorder.of(DrainEvent.StallDetected.class)).hasSize(2);
    assertThat(recorder.of(DrainEvent.StallDetected.class).get(1).upload().bytesDone())
        .isEqualTo(2 * MB);
    clock.advance(Duration.ofSeconds(10));
    assertThat(recorder.of(DrainEvent.StallDetected.class)).hasSize(2);
    upload.close();
  }

  @Test
  void progressCountedByTheServerItselfIsSeenAndIsNotAStall() {
    Drain drain = drain(config().stallTimeout(Duration.ofSeconds(4)));
    Inflight upload = drain.begin(new RequestInfo("POST", "/form", 10 * MB));
    java.util.concurrent.atomic.AtomicLong serverCount = new java.util.concurrent.atomic.AtomicLong();
    upload.bytesReadFrom(serverCount::get);
    drain.startDrain("SIGTERM");

    for (int second = 1; second <= 6; second++) {
      clock.advance(Duration.ofSeconds(1));
      serverCount.addAndGet(MB); // the container parses the body; no wrapper sees the bytes
      assertThat(drain.status().uploads().get(0).bytesDone()).isEqualTo(second * MB);
    }
    assertThat(recorder.of(DrainEvent.StallDetected.class)).isEmpty();
    assertThat(drain.status().uploads().get(0).bytesPerSecond()).isEqualTo(1.0 * MB);
    upload.onBytes(MB); // a wrapper's count below the server's does not add to it
    assertThat(drain.status().uploads().get(0).bytesDone()).isEqualTo(6 * MB);

    clock.advance(Duration.ofSeconds(5));
    assertThat(recorder.of(DrainEvent.StallDetected.class)).hasSize(1);
    upload.close();
    serverCount.set(0); // the server recycles its counter for the next request
    assertThat(drain.inflight()).isZero();
  }

  @Test
  void deadlineCutsWhatIsLeftAndListsIt() {
    Drain drain = drain(config());
    Inflight upload = drain.begin(new RequestInfo("POST", "/upload", 50 * MB));
    Inflight get = drain.begin(RequestInfo.bodyless("GET", "/slow"));
    upload.onBytes(3 * MB);
    drain.startDrain("SIGTERM");

    clock.advance(Duration.ofMillis(27_999));
    assertThat(drain.completion().toCompletableFuture()).isNotDone();
    clock.advance(Duration.ofMillis(1));

    DrainResult result = drain.completion().toCompletableFuture().join();
    assertThat(result.deadlineReached()).isTrue();
    assertThat(result.duration()).isEqualTo(Duration.ofSeconds(28));
    assertThat(result.cut())
        .containsExactly(new DrainResult.CutRequest("POST", "/upload", 3 * MB, 50 * MB));
    assertThat(result.cutWithoutBody()).isEqualTo(1);
    assertThat(recorder.of(DrainEvent.RequestCut.class)).hasSize(1);
    assertThat(drain.state()).isEqualTo(DrainState.DRAINED);

    upload.close();
    get.close();
    assertThat(drain.inflight()).as("late closes after the deadline still count out").isZero();
  }

  @Test
  void statusBeforeAnyByteUsesTheMinimumRate() {
    Drain drain = drain(config().minClientRate(2 * MB));
    drain.begin(new RequestInfo("PUT", "/blob", 8 * MB));
    assertThat(drain.status().uploads().get(0).estimatedRemaining())
        .isEqualTo(Optional.of(Duration.ofSeconds(4)));
  }
}

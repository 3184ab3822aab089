package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Inflight#abort()}: a request whose connection closed before its response counts as cut
 * while a drain runs, and ends like a close before one.
 */
class AbortTest {

  private final Drain drain = Drain.builder().config(DrainConfig.builder()
      .propagationDelay(Duration.ZERO).quietPeriod(Duration.ZERO)
      .gracePeriod(Duration.ofSeconds(30)).build()).build();

  AbortTest() {
    drain.markReady();
  }

  @Test
  void anAbortWhileDrainingIsListedAsCutAndTheDrainIsNotClean() throws Exception {
    Inflight upload = drain.begin(new RequestInfo("POST", "/upload", 1000));
    upload.onBytes(100);
    Inflight get = drain.newReusableInflight().begin(new RequestInfo("GET", "/a", 0));
    var result = drain.startDrain("test").toCompletableFuture();
    upload.abort();
    upload.close(); // the second end changes nothing
    get.abort();
    DrainResult drained = result.get(5, TimeUnit.SECONDS);
    assertThat(drained.clean()).isFalse();
    assertThat(drained.deadlineReached()).isFalse();
    assertThat(drained.cut()).containsExactly(
        new DrainResult.CutRequest("POST", "/upload", 100, 1000));
    assertThat(drained.cutWithoutBody()).isEqualTo(1);
    assertThat(drain.inflight()).isZero();
  }

  @Test
  void anAbortBeforeTheDrainEndsTheRequestAndIsNotCounted() throws Exception {
    drain.begin(new RequestInfo("POST", "/upload", 1000)).abort();
    drain.begin(new RequestInfo("GET", "/a", 0)).abort();
    assertThat(drain.inflight()).isZero();
    DrainResult drained = drain.startDrain("test").toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(drained.clean()).isTrue();
  }

  @Test
  void aCloseBeforeTheAbortWins() throws Exception {
    Inflight upload = drain.begin(new RequestInfo("POST", "/upload", 10));
    var result = drain.startDrain("test").toCompletableFuture();
    upload.close();
    upload.abort();
    assertThat(result.get(5, TimeUnit.SECONDS).clean()).isTrue();
  }
}

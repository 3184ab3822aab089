package dev.drain.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReusableInflightTest {

  private final ManualClock clock = new ManualClock();
  private final Drain drain = Drain.builder()
      .config(DrainConfig.builder().clock(clock).propagationDelay(Duration.ZERO).build()).build();
  private final RequestInfo get = RequestInfo.bodyless("GET", "/hello");

  @Test
  void reArmedRequestAfterRequestWithAnExactCount() {
    drain.markReady();
    ReusableInflight connection = drain.newReusableInflight();
    for (int i = 0; i < 1000; i++) {
      Inflight request = connection.begin(get);
      assertThat(request.tracked()).isTrue();
      assertThat(drain.inflight()).isEqualTo(1);
      request.close();
      request.close();
      assertThat(drain.inflight()).isZero();
    }
  }

  @Test
  void beginningWhileTheLastRequestIsOpenIsAnError() {
    ReusableInflight connection = drain.newReusableInflight();
    connection.begin(get);
    assertThatThrownBy(() -> connection.begin(get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("still open");
    assertThat(drain.inflight()).isEqualTo(1);
  }

  @Test
  void uploadsGetTheirOwnHandleWithProgress() {
    ReusableInflight connection = drain.newReusableInflight();
    Inflight upload = connection.begin(new RequestInfo("POST", "/upload", 100));
    upload.onBytes(40);
    Inflight next = connection.begin(get);

    assertThat(upload).isNotSameAs(next);
    assertThat(drain.status().uploads()).singleElement()
        .satisfies(u -> assertThat(u.bytesDone()).isEqualTo(40));
    assertThat(drain.inflight()).isEqualTo(2);
    upload.close();
    next.close();
    assertThat(drain.inflight()).isZero();
  }

  @Test
  void holdsTheDrainOpenUntilClosedAndIsUntrackedAfterIt() {
    drain.markReady();
    ReusableInflight connection = drain.newReusableInflight();
    Inflight request = connection.begin(get);
    drain.startDrain("test");
    clock.runDue();
    assertThat(drain.state()).isEqualTo(DrainState.DRAINING);

    request.close();

    assertThat(drain.state()).isEqualTo(DrainState.DRAINED);
    Inflight late = connection.begin(get);
    assertThat(late.tracked()).isFalse();
    late.close();
    assertThat(drain.inflight()).isZero();
  }
}

package dev.drain.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class UploadRatesTest {

  private static final long MB = 1L << 20;
  private static final long SECOND = 1_000_000_000L;

  private final UploadRates rates = new UploadRates(600 * SECOND);

  @Test
  void needsThreeObservations() {
    rates.recordEnded(10 * MB, SECOND, 0);
    rates.recordEnded(10 * MB, SECOND, 0);
    assertThat(rates.estimate(List.of(), 0)).isEmpty();

    rates.recordEnded(10 * MB, SECOND, 0);
    assertThat(rates.estimate(List.of(), 0)).hasValue(10.0 * MB);
  }

  @Test
  void smallBodiesAndZeroDurationsAreNoEvidence() {
    for (int i = 0; i < 10; i++) {
      rates.recordEnded(MB - 1, SECOND, 0);
      rates.recordEnded(10 * MB, 0, 0);
    }
    assertThat(rates.estimate(List.of(), 0)).isEmpty();
  }

  @Test
  void takesTheTenthPercentileByNearestRank() {
    for (int rate = 1; rate <= 30; rate++) {
      rates.recordEnded(rate * MB, SECOND, 0);
    }
    // 30 observations: rank ceil(3.0) = 3, the third slowest
    assertThat(rates.estimate(List.of(), 0)).hasValue(3.0 * MB);
  }

  @Test
  void remembersTheNewestObservationsOnly() {
    for (int i = 0; i < UploadRates.CAPACITY; i++) {
      rates.recordEnded(MB, SECOND, 0); // slow
    }
    for (int i = 0; i < UploadRates.CAPACITY; i++) {
      rates.recordEnded(20 * MB, SECOND, 1);
    }
    assertThat(rates.estimate(List.of(), 1)).hasValue(20.0 * MB);
  }

  @Test
  void forgetsWhatLeftTheWindow() {
    for (int i = 0; i < 3; i++) {
      rates.recordEnded(10 * MB, SECOND, 0);
    }
    assertThat(rates.estimate(List.of(), 600 * SECOND)).isPresent();
    OptionalDouble later = rates.estimate(List.of(), 600 * SECOND + 1);
    assertThat(later).isEmpty();
  }
}

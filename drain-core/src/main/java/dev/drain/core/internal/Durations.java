package dev.drain.core.internal;

import java.time.Duration;

/** Duration arithmetic of the budget check. */
public final class Durations {

  private Durations() {}

  /**
   * Returns {@code d} in whole seconds, rounded up: budgets are stated in whole seconds and must
   * not come out short.
   *
   * @param d a duration, not negative
   * @return its seconds, rounded up
   */
  public static long ceilSeconds(Duration d) {
    return (d.toNanos() + 999_999_999L) / 1_000_000_000L;
  }
}

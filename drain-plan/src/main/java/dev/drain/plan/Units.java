package dev.drain.plan;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The planner's units. Sizes are binary: {@code KB} = KiB = 1,024 bytes, {@code MB} = MiB =
 * 1,048,576 bytes, {@code GB} = GiB (the {@code KiB}, {@code MiB}, {@code GiB} spellings are
 * accepted too); decimals are accepted ({@code 0.5MB} = 524,288 bytes). Durations take {@code
 * ms}, {@code s}, {@code m} or {@code h}, decimals too ({@code 1.5s}).
 */
final class Units {

  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)");
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private Units() {}

  /** Parses a size, rounded to the nearest byte. */
  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size: '" + text + "' (e.g. 50MB, 0.5MB, 512KB;"
          + " MB means MiB)");
    }
    long unit = switch (m.group(2)) {
      case "B" -> 1L;
      case "KB", "KiB" -> 1L << 10;
      case "MB", "MiB" -> 1L << 20;
      case "GB", "GiB" -> 1L << 30;
      default -> 1L << 40;
    };
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit))
        .setScale(0, RoundingMode.HALF_UP);
    try {
      return bytes.longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("too large: '" + text + "'");
    }
  }

  /** Parses a duration, rounded to the nearest millisecond. */
  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 500ms, 10s, 1.5m)");
    }
    long unitMillis = switch (m.group(2)) {
      case "ms" -> 1L;
      case "s" -> 1000L;
      case "m" -> 60_000L;
      default -> 3_600_000L;
    };
    BigDecimal millis = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitMillis))
        .setScale(0, RoundingMode.HALF_UP);
    try {
      return Duration.ofMillis(millis.longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("too long: '" + text + "'");
    }
  }

  /** A byte count as the options take it: {@code 50MB}, {@code 512KB}, {@code 1000B}. */
  static String size(long bytes) {
    if (bytes % (1L << 30) == 0) {
      return bytes / (1L << 30) + "GB";
    }
    if (bytes % (1L << 20) == 0) {
      return bytes / (1L << 20) + "MB";
    }
    if (bytes % 1024 == 0) {
      return bytes / 1024 + "KB";
    }
    return bytes + "B";
  }

  /** A rate in bytes per second as megabits per second (10^6 bits), one decimal or more. */
  static String megabits(long bytesPerSecond) {
    double mbit = bytesPerSecond * 8 / 1e6;
    return mbit >= 10 ? String.format(Locale.ROOT, "%.0f", mbit)
        : mbit >= 0.1 ? String.format(Locale.ROOT, "%.2f", mbit)
        : String.format(Locale.ROOT, "%.4f", mbit);
  }
}

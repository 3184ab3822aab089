package dev.drain.core.internal;

import dev.drain.core.DrainConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps Spring-style {@code drain.*} properties onto a {@link DrainConfig.Builder}. */
public final class ConfigProperties {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ns|us|ms|s|m|h|d)?");
  private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KB|MB|GB|TB)?");

  private static final Map<String, BiConsumer<DrainConfig.Builder, String>> SETTERS =
      Map.ofEntries(
          Map.entry("grace-period", (b, v) -> b.gracePeriod(duration(v))),
          Map.entry("safety-margin", (b, v) -> b.safetyMargin(duration(v))),
          Map.entry("pre-stop-duration", (b, v) -> b.preStopDuration(duration(v))),
          Map.entry("propagation-delay", (b, v) -> b.propagationDelay(duration(v))),
          Map.entry("quiet-period", (b, v) -> b.quietPeriod(duration(v))),
          Map.entry("max-upload-size", (b, v) -> b.maxUploadSize(size(v))),
          Map.entry("min-client-rate", (b, v) -> b.minClientRate(size(v))),
          Map.entry("stall-timeout", (b, v) -> b.stallTimeout(duration(v))),
          Map.entry("upload-rate-window", (b, v) -> b.uploadRateWindow(duration(v))),
          Map.entry(
              "refuse-uploads-that-cannot-finish",
              (b, v) -> b.refuseUploadsThatCannotFinish(bool(v))),
          Map.entry("retry-after", (b, v) -> b.retryAfter(duration(v))),
          Map.entry("upstream-idle-timeout", (b, v) -> b.upstreamIdleTimeout(duration(v))),
          Map.entry("server-idle-timeout", (b, v) -> b.serverIdleTimeout(duration(v))),
          Map.entry("endpoint.enabled",
              (b, v) -> b.probes(b.probes().withDrainEndpointEnabled(bool(v)))),
          Map.entry("endpoint.token", (b, v) -> b.probes(b.probes().withDrainEndpointToken(v))),
          Map.entry("probe.readiness-path",
              (b, v) -> b.probes(b.probes().withPaths(v, b.probes().statusPath()))),
          Map.entry("probe.status-path",
              (b, v) -> b.probes(b.probes().withPaths(b.probes().readinessPath(), v))),
          Map.entry("probe.status-enabled",
              (b, v) -> b.probes(b.probes().withStatusEnabled(bool(v)))));

  private ConfigProperties() {}

  /**
   * Returns every key {@link #apply} accepts, without the {@code drain.} prefix and without
   * {@code enabled}.
   *
   * @return the keys, sorted
   */
  public static java.util.SortedSet<String> names() {
    return java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(SETTERS.keySet()));
  }

  /**
   * Applies every {@code drain.} property to {@code builder}.
   *
   * @param properties the properties
   * @param builder the builder to change
   */
  public static void apply(Map<String, String> properties, DrainConfig.Builder builder) {
    properties.forEach(
        (key, value) -> {
          if (!key.startsWith("drain.")) {
            return;
          }
          String name = key.substring("drain.".length());
          if (name.equals("enabled")) {
            return;
          }
          BiConsumer<DrainConfig.Builder, String> setter = SETTERS.get(name);
          if (setter == null) {
            throw new IllegalArgumentException(
                "Unknown property '" + key + "'; known: drain." + String.join(", drain.",
                    new java.util.TreeSet<>(SETTERS.keySet())));
          }
          try {
            setter.accept(builder, value.trim());
          } catch (IllegalArgumentException | ArithmeticException e) {
            String shown = name.equals("endpoint.token") ? "****" : value;
            throw new IllegalArgumentException(
                "Invalid value '" + shown + "' for " + key + ": " + e.getMessage(), e);
          }
        });
  }

  /**
   * Parses a duration as Spring does: {@code 500ms}, {@code 2s}, ISO-8601, bare milliseconds.
   *
   * @param text the text
   * @return the duration
   */
  public static Duration duration(String text) {
    String t = text.trim();
    if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P")) {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not a duration: '" + text + "'", e);
      }
    }
    Matcher m = DURATION.matcher(t.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a duration: '" + text + "' (use e.g. 500ms, 2s, 1m, PT2S)");
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    switch (unit) {
      case "ns": return Duration.ofNanos(amount);
      case "us": return Duration.ofNanos(Math.multiplyExact(amount, 1000L));
      case "ms": return Duration.ofMillis(amount);
      case "s": return Duration.ofSeconds(amount);
      case "m": return Duration.ofMinutes(amount);
      case "h": return Duration.ofHours(amount);
      default: return Duration.ofDays(amount);
    }
  }

  /**
   * Parses a size as Spring's {@code DataSize} does: {@code 1MB} is 1,048,576 bytes.
   *
   * @param text the text
   * @return bytes
   */
  public static long size(String text) {
    Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size: '" + text + "' (use e.g. 512KB, 1MB, 50MB)");
    }
    long amount = Long.parseLong(m.group(1));
    int shift;
    switch (m.group(2) == null ? "B" : m.group(2)) {
      case "KB": shift = 10; break;
      case "MB": shift = 20; break;
      case "GB": shift = 30; break;
      case "TB": shift = 40; break;
      default: shift = 0;
    }
    return Math.multiplyExact(amount, 1L << shift);
  }

  private static boolean bool(String text) {
    if (text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("not a boolean: '" + text + "' (use true or false)");
  }
}

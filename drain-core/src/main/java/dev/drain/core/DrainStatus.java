package dev.drain.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a {@link Drain}, as served by {@code GET /drainz}.
 *
 * @param state the state
 * @param inflight requests in flight, uploads included
 * @param uploads each upload in flight with its progress
 * @param untilDeadline time left until the drain deadline; empty unless draining
 * @param refused requests refused while draining
 */
public record DrainStatus(
    DrainState state,
    long inflight,
    List<Upload> uploads,
    Optional<Duration> untilDeadline,
    long refused) {

  /**
   * Validates the components.
   *
   * @param state see {@link #state()}
   * @param inflight see {@link #inflight()}
   * @param uploads see {@link #uploads()}
   * @param untilDeadline see {@link #untilDeadline()}
   * @param refused see {@link #refused()}
   */
  public DrainStatus {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(untilDeadline, "untilDeadline");
    uploads = List.copyOf(uploads);
  }

  /**
   * Returns the snapshot as the keys and values of {@link #toJson()}, in its order, for a
   * framework that writes JSON itself (the Spring starter's actuator endpoint): every
   * representation of the status then reads the same ({@code deadlineInMillis}, not an ISO
   * duration).
   *
   * @return an unmodifiable map of strings, numbers, booleans, nulls, lists and maps
   */
  public java.util.Map<String, Object> toMap() {
    java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();
    map.put("state", state.name());
    map.put("inflight", inflight);
    map.put("uploads", uploads.stream().map(Upload::toMap).toList());
    map.put("deadlineInMillis", untilDeadline.map(Duration::toMillis).orElse(null));
    map.put("refused", refused);
    return java.util.Collections.unmodifiableMap(map);
  }

  /**
   * Renders the snapshot as JSON: {@code {"state":"SERVING","inflight":0,"uploads":[...],
   * "deadlineInMillis":null,"refused":0}}.
   *
   * @return the JSON text
   */
  public String toJson() {
    StringBuilder json = new StringBuilder(128);
    json.append("{\"state\":\"").append(state).append("\",\"inflight\":").append(inflight)
        .append(",\"uploads\":[");
    for (int i = 0; i < uploads.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      uploads.get(i).appendJson(json);
    }
    json.append("],\"deadlineInMillis\":")
        .append(untilDeadline.map(d -> Long.toString(d.toMillis())).orElse("null"))
        .append(",\"refused\":").append(refused).append('}');
    return json.toString();
  }

  /**
   * One upload in flight.
   *
   * @param method its method
   * @param path its path
   * @param bytesDone body bytes read so far
   * @param declaredLength its declared length, or {@code -1} when unknown
   * @param bytesPerSecond the rate observed since it began; 0 before any byte
   * @param estimatedRemaining how long it should still take at the observed rate (the minimum
   *     client rate before any byte); empty when its length is unknown
   * @param stalled whether it made no progress for the stall timeout
   */
  public record Upload(
      String method,
      String path,
      long bytesDone,
      long declaredLength,
      double bytesPerSecond,
      Optional<Duration> estimatedRemaining,
      boolean stalled) {

    /**
     * Validates the components.
     *
     * @param method see {@link #method()}
     * @param path see {@link #path()}
     * @param bytesDone see {@link #bytesDone()}
     * @param declaredLength see {@link #declaredLength()}
     * @param bytesPerSecond see {@link #bytesPerSecond()}
     * @param estimatedRemaining see {@link #estimatedRemaining()}
     * @param stalled see {@link #stalled()}
     */
    public Upload {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(estimatedRemaining, "estimatedRemaining");
    }

    java.util.Map<String, Object> toMap() {
      java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();
      map.put("method", method);
      map.put("path", path);
      map.put("bytesDone", bytesDone);
      map.put("declaredLength", declaredLength);
      map.put("bytesPerSecond", Math.round(bytesPerSecond));
      map.put("estimatedRemainingMillis", estimatedRemaining.map(Duration::toMillis).orElse(null));
      map.put("stalled", stalled);
      return java.util.Collections.unmodifiableMap(map);
    }

    void appendJson(StringBuilder json) {
      json.append("{\"method\":");
      quote(json, method);
      json.append(",\"path\":");
      quote(json, path);
      json.append(",\"bytesDone\":").append(bytesDone)
          .append(",\"declaredLength\":").append(declaredLength)
          .append(",\"bytesPerSecond\":").append(Math.round(bytesPerSecond))
          .append(",\"estimatedRemainingMillis\":")
          .append(estimatedRemaining.map(d -> Long.toString(d.toMillis())).orElse("null"))
          .append(",\"stalled\":").append(stalled).append('}');
    }

    private static void quote(StringBuilder json, String text) {
      json.append('"');
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '"' || c == '\\') {
          json.append('\\').append(c);
        } else if (c < 0x20) {
          json.append(String.format("\\u%04x", (int) c));
        } else {
          json.append(c);
        }
      }
      json.append('"');
    }
  }
}

package dev.drain.core.micrometer;

import dev.drain.core.Drain;
import dev.drain.core.DrainEvent;
import dev.drain.core.DrainStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Publishes a {@link Drain}'s state to Micrometer. The only class of drain-core that needs
 * {@code micrometer-core}; use it only when Micrometer is on the class path.
 *
 * <ul>
 *   <li>{@code drain.state}: 0 starting, 1 serving, 2 draining, 3 drained;
 *   <li>{@code drain.inflight{kind=request}}: bodyless requests in flight; {@code
 *       drain.inflight{kind=upload}}: requests with a body in flight (the two add up to the total);
 *   <li>{@code drain.refused}: requests refused while draining;
 *   <li>{@code drain.cut}: requests still in flight at a drain deadline;
 *   <li>{@code drain.duration}: how long drains took;
 *   <li>{@code drain.upload.remaining.bytes}: declared bytes not yet received by uploads in flight.
 * </ul>
 */
// Micrometer's types in this API are the user's own: module-info requires micrometer.core
// `static`, not `transitive`, so that users without Micrometer need not have it.
@SuppressWarnings("exports")
public final class DrainMetrics implements MeterBinder {

  private final Drain drain;
  private final Tags tags;

  /**
   * Creates the binder.
   *
   * @param drain the drain to publish; must not be null
   * @param tags extra tags for every meter; must not be null
   */
  public DrainMetrics(Drain drain, Iterable<io.micrometer.core.instrument.Tag> tags) {
    this.drain = Objects.requireNonNull(drain, "drain");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  /**
   * Creates the binder without extra tags.
   *
   * @param drain the drain to publish; must not be null
   */
  public DrainMetrics(Drain drain) {
    this(drain, Tags.empty());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("drain.state", drain, d -> d.state().ordinal())
        .description("0 starting, 1 serving, 2 draining, 3 drained")
        .tags(tags)
        .register(registry);
    Gauge.builder("drain.inflight", drain, d -> Math.max(0, d.inflight() - uploads(d)))
        .description("Bodyless requests in flight")
        .tags(tags.and("kind", "request"))
        .register(registry);
    Gauge.builder("drain.inflight", drain, DrainMetrics::uploads)
        .description("Requests with a body in flight")
        .tags(tags.and("kind", "upload"))
        .register(registry);
    Gauge.builder("drain.upload.remaining.bytes", drain, DrainMetrics::remainingBytes)
        .description("Declared body bytes not yet received by uploads in flight")
        .baseUnit("bytes")
        .tags(tags)
        .register(registry);
    Counter refused = Counter.builder("drain.refused")
        .description("Requests refused while draining").tags(tags).register(registry);
    Counter cut = Counter.builder("drain.cut")
        .description("Requests still in flight at a drain deadline").tags(tags).register(registry);
    Timer duration = Timer.builder("drain.duration")
        .description("Time from drain start to drained").tags(tags).register(registry);
    drain.addListener(event -> {
      if (event instanceof DrainEvent.UploadRefused) {
        refused.increment();
      } else if (event instanceof DrainEvent.Drained drained) {
        cut.increment(drained.result().cut().size() + drained.result().cutWithoutBody());
        duration.record(drained.result().duration());
      }
    });
  }

  private static double uploads(Drain drain) {
    return drain.status().uploads().size();
  }

  private static double remainingBytes(Drain drain) {
    long remaining = 0;
    for (DrainStatus.Upload upload : drain.status().uploads()) {
      if (upload.declaredLength() > 0) {
        remaining += Math.max(0, upload.declaredLength() - upload.bytesDone());
      }
    }
    return remaining;
  }
}

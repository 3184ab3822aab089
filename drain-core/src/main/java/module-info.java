/**
 * graceful-drain core: the drain state machine, the exact in-flight tracker, the upload-aware
 * drain policy, the SIGTERM-aware shutdown coordinator and the budget check.
 *
 * <p>Depends on the JDK only. Micrometer is optional: {@code dev.drain.core.micrometer} is
 * usable only when {@code micrometer-core} is present.
 */
module dev.drain.core {
  // Not transitive: `requires static transitive` makes every consumer's module need
  // micrometer.core to compile (the consumer check showed it). A user of DrainMetrics
  // requires micrometer.core anyway, to have a MeterRegistry.
  requires static micrometer.core;

  exports dev.drain.core;
  exports dev.drain.core.micrometer;
}

package dev.drain.core;

/**
 * The life of a {@link Drain}: {@code STARTING -> SERVING -> DRAINING -> DRAINED}. Transitions
 * only move forward; {@code DRAINING} may also be entered straight from {@code STARTING}.
 */
public enum DrainState {
  /** Started but not ready: readiness is false, requests are served. */
  STARTING,
  /** Ready: readiness is true. */
  SERVING,
  /** Draining: readiness is false, responses carry {@code Connection: close}. */
  DRAINING,
  /** Drained: every request ended or the deadline passed; new requests are refused. */
  DRAINED
}

package dev.drain.core;

/**
 * Receives {@link DrainEvent}s, e.g. to deregister from service discovery or flush queues.
 *
 * <p>Listeners run on the thread that caused the event and must not block for long. A listener
 * that throws is logged and the drain goes on.
 */
@FunctionalInterface
public interface DrainListener {

  /**
   * Called once for every event after it happened.
   *
   * @param event the event; never null
   */
  void onEvent(DrainEvent event);
}

package dev.drain.core.internal;

import dev.drain.core.DrainEvent;
import dev.drain.core.DrainListener;
import java.util.concurrent.CopyOnWriteArrayList;

/** Delivers events to listeners; a listener that throws is logged and the others still run. */
public final class Listeners {


  private final CopyOnWriteArrayList<DrainListener> listeners = new CopyOnWriteArrayList<>();

  /**
   * Adds a listener.
   *
   * @param listener the listener
   */
  public void add(DrainListener listener) {
    listeners.add(listener);
  }

  /**
   * Removes a listener.
   *
   * @param listener the listener
   * @return whether it was there
   */
  public boolean remove(DrainListener listener) {
    return listeners.remove(listener);
  }

  /**
   * Delivers an event to every listener.
   *
   * @param event the event
   */
  public void fire(DrainEvent event) {
    for (DrainListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException | Error e) {
        DrainLog.write(System.Logger.Level.WARNING, "graceful-drain listener " + listener
            + " failed on " + event + "; the drain goes on", e);
      }
    }
  }
}

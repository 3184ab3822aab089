package dev.drain.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps every event, for assertions. */
final class Recorder implements DrainListener {

  final List<DrainEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(DrainEvent event) {
    events.add(event);
  }

  <T extends DrainEvent> List<T> of(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}

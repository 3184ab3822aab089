package dev.drain.core;

import java.time.Duration;
import java.util.PriorityQueue;

/** A clock that moves only when a test says so, running due tasks in time order. */
public final class ManualClock implements DrainClock {

  private record Task(long due, long seq, Runnable runnable, boolean[] cancelled)
      implements Comparable<Task> {
    @Override
    public int compareTo(Task o) {
      return due != o.due ? Long.compare(due, o.due) : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long now = 1_000_000_000L;
  private long seq;

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    boolean[] cancelled = new boolean[1];
    tasks.add(new Task(now + Math.max(0, delay.toNanos()), seq++, task, cancelled));
    return () -> {
      synchronized (ManualClock.this) {
        cancelled[0] = true;
      }
    };
  }

  /** Moves time forward by {@code step}, running every task that falls due on the way. */
  public void advance(Duration step) {
    long target;
    synchronized (this) {
      target = now + step.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = Math.max(now, next.due);
        if (next.cancelled[0]) {
          continue;
        }
      }
      next.runnable.run();
    }
  }

  /** Runs what is due now without moving time. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  synchronized int pendingTasks() {
    return (int) tasks.stream().filter(t -> !t.cancelled[0]).count();
  }
}

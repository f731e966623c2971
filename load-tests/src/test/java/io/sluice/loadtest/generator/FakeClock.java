package io.sluice.loadtest.generator;

import java.util.PriorityQueue;

/**
 * A fake {@link NanoClock}: time moves only when the generator parks (or a test advances it), and
 * events scheduled on it (fake replies) run exactly at their due time, on the parking thread.
 */
final class FakeClock implements NanoClock {
  private record Event(long at, long order, Runnable action) {}

  private final PriorityQueue<Event> events =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
  private long now = 1_000_000_000L;
  private long order;
  private boolean unparked;
  private long oversleepNanos;

  /** Every park sleeps this much longer than asked, like a thread on a loaded machine. */
  FakeClock oversleeping(long nanos) {
    this.oversleepNanos = nanos;
    return this;
  }

  void at(long atNanos, Runnable action) {
    events.add(new Event(atNanos, order++, action));
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void park(long nanos) {
    long until = now + nanos + oversleepNanos;
    unparked = false;
    while (!events.isEmpty() && events.peek().at <= until) {
      Event e = events.poll();
      now = Math.max(now, e.at);
      e.action.run();
      if (unparked && oversleepNanos == 0) {
        return;
      }
    }
    now = until;
  }

  @Override
  public void unpark(Thread waiter) {
    unparked = true;
  }
}

package dev.gangway.sim.clock;

import java.util.PriorityQueue;

/**
 * Simulated time and the events waiting in it. Time is in milliseconds since the start of the run, so
 * sums of durations are exact. Events at the same instant run in the order they were scheduled, which
 * makes a run a function of its inputs and seed alone.
 */
public final class EventLoop {

  private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private long now;
  private long seq;
  private long processed;

  public long now() {
    return now;
  }

  /** Events run so far. */
  public long processed() {
    return processed;
  }

  /** Runs {@code action} at {@code time}; a time in the past means now. */
  public void at(long time, Runnable action) {
    queue.add(new Event(Math.max(time, now), seq++, action));
  }

  /**
   * Reserves {@code n} places in the order of events at one instant, as if {@code n} events were scheduled now, for
   * events the caller schedules later with {@link #at(long, long, Runnable)}: a long series (a year's job arrivals) can
   * then wait outside the queue, one at a time, and still run exactly where it would have had it been scheduled whole.
   *
   * @return the first reserved place; the others follow it
   */
  public long reserve(int n) {
    long first = seq;
    seq += n;
    return first;
  }

  /** Runs {@code action} at {@code time} in the place {@code reserved} (from {@link #reserve}) among events at that instant. */
  public void at(long time, long reserved, Runnable action) {
    queue.add(new Event(Math.max(time, now), reserved, action));
  }

  public void after(long delayMillis, Runnable action) {
    at(now + Math.max(0, delayMillis), action);
  }

  /** Runs every event due up to and including {@code end}, then leaves the clock at {@code end}. */
  public void runUntil(long end) {
    while (!queue.isEmpty() && queue.peek().time() <= end) {
      Event e = queue.poll();
      now = e.time();
      processed++;
      e.action().run();
    }
    now = Math.max(now, end);
  }
}

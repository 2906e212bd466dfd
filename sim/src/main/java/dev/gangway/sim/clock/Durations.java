package dev.gangway.sim.clock;

import java.time.Instant;

/** Simulated milliseconds to and from the units people and the controllers use. */
public final class Durations {

  public static final long SECOND = 1_000;
  public static final long MINUTE = 60 * SECOND;
  public static final long HOUR = 60 * MINUTE;
  public static final long DAY = 24 * HOUR;

  /** The instant the simulated run starts at: fixed, so Instants in the controllers' records repeat run to run. */
  public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  private Durations() {
  }

  public static Instant instant(long millis) {
    return EPOCH.plusMillis(millis);
  }

  public static long millis(Instant instant) {
    return instant.toEpochMilli() - EPOCH.toEpochMilli();
  }

  public static long minutes(double m) {
    return Math.round(m * MINUTE);
  }

  public static long hours(double h) {
    return Math.round(h * HOUR);
  }

  public static double toHours(long millis) {
    return millis / (double) HOUR;
  }
}

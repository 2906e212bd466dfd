package dev.gangway.pod;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * RFC 3339 times as the API carries them (status fields, annotations, conditions) read as
 * {@link Instant}. Never trusted to be well-formed: a missing or malformed time reads as null (or the
 * given fallback), so one bad string cannot fail a reconcile.
 */
public final class Timestamps {
  private Timestamps() {
  }

  /** The instant, or null when {@code time} is null or not RFC 3339. */
  public static Instant parse(String time) {
    return parseOr(time, null);
  }

  /** The instant, or {@code fallback} when {@code time} is null or not RFC 3339. */
  public static Instant parseOr(String time, Instant fallback) {
    if (time == null) {
      return fallback;
    }
    try {
      return Instant.parse(time);
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }
}

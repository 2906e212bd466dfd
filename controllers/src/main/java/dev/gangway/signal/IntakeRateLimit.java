package dev.gangway.signal;

import dev.gangway.checkin.IntakeAnswer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A token bucket per client of the check-in doors (a source address, or a reviewed identity): each
 * holds up to {@code burst} requests and refills at {@code perSecond}. A rank checks in once per
 * saved checkpoint and a health agent once per finding, so a client that empties its bucket is
 * flooding; it gets 429 with the time until its next token. Time is a parameter, not read here.
 * The table keeps at most {@code maxClients} buckets, least recently used first out, so a spray of
 * source addresses cannot grow it without bound.
 */
public final class IntakeRateLimit {
  private final double perSecond;
  private final double burst;
  private final Map<String, Bucket> buckets;

  public IntakeRateLimit(double perSecond, int burst, int maxClients) {
    if (perSecond <= 0 || burst < 1 || maxClients < 1) {
      throw new IllegalArgumentException("rate limit needs perSecond > 0, burst >= 1, maxClients >= 1; got "
          + perSecond + ", " + burst + ", " + maxClients);
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
        return size() > maxClients;
      }
    };
  }

  /**
   * Takes one token from {@code client}'s bucket.
   *
   * @return empty when the request may proceed, else how long until the client may send again
   */
  public synchronized Optional<Duration> take(String client, Instant now) {
    Bucket b = buckets.computeIfAbsent(client, c -> new Bucket(burst, now));
    double elapsed = Math.max(0, Duration.between(b.at, now).toNanos() / 1e9);
    b.tokens = Math.min(burst, b.tokens + elapsed * perSecond);
    b.at = now.isAfter(b.at) ? now : b.at;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos((long) Math.ceil((1 - b.tokens) / perSecond * 1e9)));
  }

  /** The answer for a client over its limit: 429, and what to do. */
  public static IntakeAnswer tooMany(String client, Duration retryAfter) {
    return new IntakeAnswer(429, "too many check-ins from " + client + ": retry after " + retryAfterSeconds(retryAfter)
        + " s (each client may send a burst of requests, then a steady rate; see gangway.intake.rate-limit)");
  }

  /** Whole seconds for the Retry-After header, at least 1. */
  public static long retryAfterSeconds(Duration retryAfter) {
    return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
  }

  private static final class Bucket {
    double tokens;
    Instant at;

    Bucket(double tokens, Instant at) {
      this.tokens = tokens;
      this.at = at;
    }
  }
}

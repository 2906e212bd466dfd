package dev.gangway.quota;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * Room in a namespace's ResourceQuotas held for gangs decided but whose pods the quotas may not count yet. A quota's
 * {@code used} grows only as each pod is admitted, so two gangs of one namespace judged at the same moment would both
 * see the same room; the check and the reservation are one step here. Held until shortly after the gang's pods all exist
 * ({@link #SETTLING}), until the gang is not placed after all, or until it is forgotten; at most {@link #HELD_AT_MOST}, so a reservation nobody releases (a
 * replica that lost the lease mid-decision) cannot hold a namespace's room for ever.
 */
public final class QuotaReservations {
  static final Duration HELD_AT_MOST = Duration.ofMinutes(5);
  /**
   * How long a reservation outlives the sight of all its pods: the quota's {@code used} counts them from their admission,
   * but the quota informer may show that after the pod informer shows the pods.
   */
  static final Duration SETTLING = Duration.ofSeconds(10);

  private record Held(String namespace, Map<String, BigDecimal> usage, Instant until) {
  }

  private final Map<String, Held> byJob = new HashMap<>();

  /**
   * Judges the gang against what its namespace's other reservations hold, and reserves its usage if it fits.
   *
   * @param judge (one rank's usage, usage reserved by other gangs of the namespace) → the shortfall, empty if it fits
   * @return the shortfall; empty when the room is now reserved for this job
   */
  public synchronized Optional<String> reserve(String jobKey, Map<String, BigDecimal> perRank, int ranks,
                                               BiFunction<Map<String, BigDecimal>, Map<String, BigDecimal>, Optional<String>> judge,
                                               Instant now) {
    byJob.values().removeIf(h -> !now.isBefore(h.until()));
    String namespace = jobKey.substring(0, jobKey.indexOf('/'));
    Map<String, BigDecimal> others = new HashMap<>();
    byJob.forEach((key, held) -> {
      if (!key.equals(jobKey) && held.namespace().equals(namespace)) {
        held.usage().forEach((r, amount) -> others.merge(r, amount, BigDecimal::add));
      }
    });
    Optional<String> shortfall = judge.apply(perRank, others);
    if (shortfall.isPresent()) {
      byJob.remove(jobKey);
      return shortfall;
    }
    Map<String, BigDecimal> usage = new HashMap<>();
    perRank.forEach((r, amount) -> usage.put(r, amount.multiply(BigDecimal.valueOf(ranks))));
    byJob.put(jobKey, new Held(namespace, Map.copyOf(usage), now.plus(HELD_AT_MOST)));
    return Optional.empty();
  }

  /** Every pod of the gang exists: the reservation ends once the quotas surely count them. */
  public synchronized void settle(String jobKey, Instant now) {
    byJob.computeIfPresent(jobKey, (key, held) -> held.until().isAfter(now.plus(SETTLING))
        ? new Held(held.namespace(), held.usage(), now.plus(SETTLING)) : held);
  }

  public synchronized void release(String jobKey) {
    byJob.remove(jobKey);
  }

  /** Drops the reservations of jobs for which {@code exists} is false. */
  public synchronized void retain(Predicate<String> exists) {
    byJob.keySet().removeIf(exists.negate());
  }
}

package dev.gangway.decide;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Rank pods whose TrainingJob is gone. The garbage collector in kube-controller-manager deletes them within a second as a
 * rule; while it is down or behind they keep their GPUs (92 s after a kube-apiserver restart in the chaos run of
 * 2026-12-06). This decides which jobs' pods the leader deletes itself: those whose job has been missing from the job cache
 * for the whole {@link #GRACE}, so that a cache a moment behind never costs a live job its ranks. The act step still asks
 * the API server for the job before it deletes anything ({@link #stillExists}).
 *
 * <p>Pure, and kept in the leader's memory: a new leader counts the grace from when it first sees the pods.
 */
public final class OrphanedRanks {
  /** Longer than the garbage collector takes when it runs, so that Gangway only ever steps in when it does not. */
  public static final Duration GRACE = Duration.ofSeconds(20);

  /** The job a rank pod's owner reference names. */
  public record Owner(String namespace, String job, String uid) {
  }

  private final Duration grace;
  private final Map<Owner, Instant> missingSince = new HashMap<>();

  public OrphanedRanks() {
    this(GRACE);
  }

  OrphanedRanks(Duration grace) {
    this.grace = grace;
  }

  /**
   * The owners whose pods are due for deletion at {@code now}: missing from the job cache at every call for at least the
   * grace. Owners no longer named by any pod, or back in the cache, are forgotten.
   *
   * @param owners the jobs the cached rank pods name as their owner
   * @param cached whether the job cache holds a job of this uid
   */
  public synchronized List<Owner> due(Collection<Owner> owners, Predicate<String> cached, Instant now) {
    Set<Owner> missing = new HashSet<>();
    for (Owner owner : owners) {
      if (!cached.test(owner.uid())) {
        missing.add(owner);
      }
    }
    missingSince.keySet().retainAll(missing);
    missing.forEach(owner -> missingSince.putIfAbsent(owner, now));
    return missingSince.entrySet().stream().filter(e -> !now.isBefore(e.getValue().plus(grace))).map(Map.Entry::getKey)
        .sorted(java.util.Comparator.comparing(Owner::namespace).thenComparing(Owner::job).thenComparing(Owner::uid)).toList();
  }

  /** The API server still has the job: the cache was behind. Its grace starts again. */
  public synchronized void stillExists(Owner owner, Instant now) {
    missingSince.computeIfPresent(owner, (o, since) -> now);
  }

  /** This replica is not the leader: what it counted is void. */
  public synchronized void forgetAll() {
    missingSince.clear();
  }
}

package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Placement decisions whose ranks are not all bound yet, rank by rank. Each rank's capacity is counted
 * from exactly one source: once kube-scheduler has bound its pod, the binding (the snapshot counts the
 * pod as used); until then, this decision's node, whatever the cached pod shows meanwhile (the
 * informer cache may not show the pod or its reserved-node annotation yet, or still show an older one).
 * A decision is made before its pods exist (they are created already pinned): a rank whose pod has not
 * been seen yet holds its capacity until its creation deadline; a rank whose pod was seen and is gone
 * (or was created again under its name: another uid) holds nothing; a decision none of whose ranks
 * holds anything is forgotten. That
 * needs pods read after the decisions were made ({@link GangPlacer} reads the {@link ClusterCache} under its lock,
 * and a decision is made only for pods the cache already holds): an older read does not show a decision's pods yet,
 * which is not their being gone.
 * Not thread-safe: {@link GangPlacer} serialises access.
 */
final class InFlightDecisions {

  /** The pods a held decision speaks for (their own annotations do not count), and the decisions' reservations. */
  record Counted(Set<String> spokenFor, List<Reservation> reservations) {
  }

  /**
   * One rank of a decision: its node, what its pod asks for, and the uid of the pod it was made for once that pod
   * has been seen. A pod created again under the same name (after a preemption) is another pod: the decision neither
   * holds capacity for it nor speaks for it. A null uid (a pod not stored yet, as in tests) matches any.
   *
   * @param seen whether the rank's pod has been seen in the cache; until then it holds its node until {@code createBy}
   */
  record Rank(String node, Resources resources, String podUid, boolean seen, Instant createBy) {
    /** A rank of a decision made before its pod exists: it is created already pinned, by {@code createBy}. */
    static Rank toCreate(String node, Resources resources, Instant createBy) {
      return new Rank(node, resources, null, false, createBy);
    }

    boolean madeFor(Pod pod) {
      return madeFor(pod.getMetadata().getUid());
    }

    boolean madeFor(String uid) {
      return podUid == null || uid == null || podUid.equals(uid);
    }

    /** The first pod seen under the rank's name is the one created for it. */
    Rank seenAs(String uid) {
      return seen ? this : new Rank(node, resources, uid, true, createBy);
    }

    /** Not seen yet: due to be created by {@code until} at the latest (never earlier than decided). */
    Rank createdBy(Instant until) {
      return seen || !until.isAfter(createBy) ? this : new Rank(node, resources, podUid, false, until);
    }

    /** Not seen yet and still due to be created at {@code now}: the rank holds its node without a pod. */
    boolean awaitsCreation(Instant now) {
      return !seen && now.isBefore(createBy);
    }
  }

  /** Job key → pod key ("namespace/name") → rank. */
  private final Map<String, Map<String, Rank>> nodeByPodByJob = new HashMap<>();

  void hold(String jobKey, Map<String, Rank> ranks) {
    nodeByPodByJob.put(jobKey, new HashMap<>(ranks));
  }

  /** Drops the job's decision; true when a rank of it still held a node without a pod (capacity freed now). */
  boolean drop(String jobKey) {
    return heldWithoutPod(nodeByPodByJob.remove(jobKey));
  }

  /** Drops the decisions of every job not {@code kept}; returns their job keys and whether any freed capacity. */
  Dropped retainJobs(java.util.function.Predicate<String> kept) {
    Set<String> dropped = new HashSet<>();
    boolean freed = false;
    for (Iterator<Map.Entry<String, Map<String, Rank>>> it = nodeByPodByJob.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Map<String, Rank>> job = it.next();
      if (!kept.test(job.getKey())) {
        dropped.add(job.getKey());
        freed |= heldWithoutPod(job.getValue());
        it.remove();
      }
    }
    return new Dropped(Set.copyOf(dropped), freed);
  }

  /** @param freed whether a dropped decision held a node for a rank whose pod did not exist yet */
  record Dropped(Set<String> jobKeys, boolean freed) {
  }

  /**
   * A created rank's capacity is its pod's (the cache frees it when the pod goes); only a rank whose pod was never seen
   * held it here alone. One past its creation deadline held nothing any more: counting it only wakes gangs once more.
   */
  private static boolean heldWithoutPod(Map<String, Rank> ranks) {
    return ranks != null && ranks.values().stream().anyMatch(r -> !r.seen());
  }

  /** The job's decision (pod key → node), or an empty map. */
  Map<String, String> of(String jobKey) {
    Map<String, String> nodes = new HashMap<>();
    nodeByPodByJob.getOrDefault(jobKey, Map.of()).forEach((pod, rank) -> nodes.put(pod, rank.node()));
    return nodes;
  }

  /** The node decided for each of {@code pods} that the job's decision was made for; others are left out. Marks them seen. */
  Map<Pod, String> of(String jobKey, List<Pod> pods) {
    Map<String, Rank> decision = nodeByPodByJob.getOrDefault(jobKey, Map.of());
    // By identity, as every Pod-keyed map here: a Pod's own hashCode walks the whole object, thousands of times per reconcile.
    Map<Pod, String> nodes = new java.util.IdentityHashMap<>();
    for (Pod pod : pods) {
      String key = SnapshotFactory.podKey(pod);
      Rank rank = decision.get(key);
      if (rank == null) {
        continue;
      }
      rank = rank.seenAs(pod.getMetadata().getUid());
      decision.put(key, rank);
      if (rank.madeFor(pod)) {
        nodes.put(pod, rank.node());
      }
    }
    return nodes;
  }

  /**
   * The node of each of {@code podKeys} whose pod the job's decision still has to create: never seen, and not past its
   * creation deadline. A rank whose pod was seen and is gone is left out: it is lost, not to be created again.
   */
  Map<String, String> toCreate(String jobKey, List<String> podKeys, Instant now) {
    Map<String, Rank> decision = nodeByPodByJob.getOrDefault(jobKey, Map.of());
    Map<String, String> nodes = new java.util.LinkedHashMap<>();
    for (String key : podKeys) {
      Rank rank = decision.get(key);
      if (rank != null && rank.awaitsCreation(now)) {
        nodes.put(key, rank.node());
      }
    }
    return nodes;
  }

  /**
   * Gives ranks not created yet until the given instants to be created (a rank waits for a pod of the job's previous
   * attempt to leave its node, which may take that pod's whole grace period); their nodes stay held until then.
   */
  void holdUntil(String jobKey, Map<String, Instant> untilByPodKey) {
    Map<String, Rank> decision = nodeByPodByJob.get(jobKey);
    if (decision == null) {
      return;
    }
    untilByPodKey.forEach((key, until) -> decision.computeIfPresent(key, (k, rank) -> rank.createdBy(until)));
  }

  int size() {
    return nodeByPodByJob.size();
  }

  /** Keys ("namespace/name") of every pod a held decision is about. */
  Set<String> podKeys() {
    Set<String> named = new HashSet<>();
    nodeByPodByJob.values().forEach(d -> named.addAll(d.keySet()));
    return named;
  }

  /**
   * Counts every held rank once against what {@code cached} shows of its pod (null: not cached), and forgets
   * decisions that hold nothing any more (every rank bound, its pod gone, or never created by its deadline). The
   * decision of {@code requester} is being replaced, so it holds nothing for that call.
   */
  Counted count(Function<String, CachedPod> cached, String requester, Instant now) {
    if (nodeByPodByJob.isEmpty()) {
      return new Counted(Set.of(), List.of());
    }
    List<Reservation> held = new ArrayList<>();
    Set<String> spokenFor = new HashSet<>();
    for (Iterator<Map.Entry<String, Map<String, Rank>>> it = nodeByPodByJob.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Map<String, Rank>> decision = it.next();
      boolean holdsAny = false;
      for (Map.Entry<String, Rank> entry : decision.getValue().entrySet()) {
        CachedPod pod = cached.apply(entry.getKey());
        Rank rank = entry.getValue();
        Resources resources;
        if (pod == null) {
          if (!rank.awaitsCreation(now)) {
            continue;
          }
          resources = rank.resources();
        } else {
          rank = rank.seenAs(pod.uid());
          entry.setValue(rank);
          if (pod.bound() || !rank.madeFor(pod.uid())) {
            continue;
          }
          spokenFor.add(entry.getKey());
          resources = pod.resources();
        }
        holdsAny = true;
        if (!decision.getKey().equals(requester)) {
          held.add(new Reservation(decision.getKey(), rank.node(), resources));
        }
      }
      if (!holdsAny) {
        it.remove();
      }
    }
    return new Counted(spokenFor, held);
  }
}

package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.Pod;
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
 * informer cache may not show the reserved-node annotation yet, or still show an older one). A rank
 * whose pod is gone (or was created again under its name: another uid) holds nothing; a decision none of whose ranks holds anything is forgotten. That
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
   * One rank of a decision: its node, and the uid of the pod it was made for. A pod created again under the same
   * name (after a preemption) is another pod: the decision neither holds capacity for it nor speaks for it.
   * A null uid (a pod not stored yet, as in tests) matches any.
   */
  record Rank(String node, String podUid) {
    boolean madeFor(Pod pod) {
      return madeFor(pod.getMetadata().getUid());
    }

    boolean madeFor(String uid) {
      return podUid == null || uid == null || podUid.equals(uid);
    }
  }

  /** Job key → pod key ("namespace/name") → rank. */
  private final Map<String, Map<String, Rank>> nodeByPodByJob = new HashMap<>();

  void hold(String jobKey, Map<String, Rank> ranks) {
    nodeByPodByJob.put(jobKey, Map.copyOf(ranks));
  }

  void drop(String jobKey) {
    nodeByPodByJob.remove(jobKey);
  }

  /** The job's decision (pod key → node), or an empty map. */
  Map<String, String> of(String jobKey) {
    Map<String, String> nodes = new HashMap<>();
    nodeByPodByJob.getOrDefault(jobKey, Map.of()).forEach((pod, rank) -> nodes.put(pod, rank.node()));
    return nodes;
  }

  /** The node decided for each of {@code pods} that the job's decision was made for; others are left out. */
  Map<Pod, String> of(String jobKey, List<Pod> pods) {
    Map<String, Rank> decision = nodeByPodByJob.getOrDefault(jobKey, Map.of());
    Map<Pod, String> nodes = new java.util.LinkedHashMap<>();
    for (Pod pod : pods) {
      Rank rank = decision.get(SnapshotFactory.podKey(pod));
      if (rank != null && rank.madeFor(pod)) {
        nodes.put(pod, rank.node());
      }
    }
    return nodes;
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
   * decisions that hold nothing any more (every rank bound or its pod gone). The decision of {@code requester} is
   * being replaced, so it holds nothing for that call.
   */
  Counted count(Function<String, CachedPod> cached, String requester) {
    if (nodeByPodByJob.isEmpty()) {
      return new Counted(Set.of(), List.of());
    }
    List<Reservation> held = new ArrayList<>();
    Set<String> spokenFor = new HashSet<>();
    for (Iterator<Map.Entry<String, Map<String, Rank>>> it = nodeByPodByJob.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Map<String, Rank>> decision = it.next();
      boolean holdsAny = false;
      for (Map.Entry<String, Rank> rank : decision.getValue().entrySet()) {
        CachedPod pod = cached.apply(rank.getKey());
        if (pod == null || pod.bound() || !rank.getValue().madeFor(pod.uid())) {
          continue;
        }
        holdsAny = true;
        spokenFor.add(rank.getKey());
        if (!decision.getKey().equals(requester)) {
          held.add(new Reservation(decision.getKey(), rank.getValue().node(), pod.resources()));
        }
      }
      if (!holdsAny) {
        it.remove();
      }
    }
    return new Counted(spokenFor, held);
  }
}

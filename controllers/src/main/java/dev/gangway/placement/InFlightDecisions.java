package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Placement decisions whose ranks are not all bound yet, rank by rank. Each rank's capacity is counted
 * from exactly one source: once kube-scheduler has bound its pod, the binding (the snapshot counts the
 * pod as used); until then, this decision's node, whatever the cached pod shows meanwhile (the
 * informer cache may not show the reserved-node annotation yet, or still show an older one). A rank
 * whose pod is gone (or was created again under its name: another uid) holds nothing; a decision none of whose ranks holds anything is forgotten. That
 * needs pods read after the decisions were made ({@link GangPlacer} reads them under its lock): an
 * older list does not show a decision's pods yet, which is not their being gone.
 * Not thread-safe: {@link GangPlacer} serialises access.
 */
final class InFlightDecisions {

  /** What a snapshot is built from: the pods minus those a decision speaks for, plus the decisions' reservations. */
  record Counted(List<Pod> pods, List<Reservation> reservations) {
  }

  /**
   * One rank of a decision: its node, and the uid of the pod it was made for. A pod created again under the same
   * name (after a preemption) is another pod: the decision neither holds capacity for it nor speaks for it.
   * A null uid (a pod not stored yet, as in tests) matches any.
   */
  record Rank(String node, String podUid) {
    boolean madeFor(Pod pod) {
      String uid = pod.getMetadata().getUid();
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

  /**
   * Counts every held rank once against the cached {@code pods}, and forgets decisions that hold
   * nothing any more (every rank bound or its pod gone). The decision of {@code requester} is being
   * replaced, so it holds nothing for that call.
   */
  Counted count(List<Pod> pods, String requester) {
    if (nodeByPodByJob.isEmpty()) {
      return new Counted(pods, List.of());
    }
    Set<String> named = new HashSet<>();
    nodeByPodByJob.values().forEach(d -> named.addAll(d.keySet()));
    Map<String, Pod> cached = new HashMap<>();
    for (Pod pod : pods) {
      String key = SnapshotFactory.podKey(pod);
      if (named.contains(key)) {
        cached.put(key, pod);
      }
    }
    List<Reservation> held = new ArrayList<>();
    Set<String> spokenFor = new HashSet<>();
    for (Iterator<Map.Entry<String, Map<String, Rank>>> it = nodeByPodByJob.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Map<String, Rank>> decision = it.next();
      boolean holdsAny = false;
      for (Map.Entry<String, Rank> rank : decision.getValue().entrySet()) {
        Pod pod = cached.get(rank.getKey());
        if (pod == null || SnapshotFactory.bound(pod) || !rank.getValue().madeFor(pod)) {
          continue;
        }
        holdsAny = true;
        spokenFor.add(rank.getKey());
        if (!decision.getKey().equals(requester)) {
          held.add(new Reservation(decision.getKey(), rank.getValue().node(), RankResources.of(pod.getSpec())));
        }
      }
      if (!holdsAny) {
        it.remove();
      }
    }
    if (spokenFor.isEmpty()) {
      return new Counted(pods, held);
    }
    List<Pod> rest = new ArrayList<>(pods.size());
    for (Pod pod : pods) {
      if (!spokenFor.contains(SnapshotFactory.podKey(pod))) {
        rest.add(pod);
      }
    }
    return new Counted(rest, held);
  }
}

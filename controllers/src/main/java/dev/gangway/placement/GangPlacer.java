package dev.gangway.placement;

import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Serialises placement decisions so that two gangs placed at the same moment never take the same
 * GPUs. A decision's reservations are kept here until the informer cache shows them on the pods
 * (as the reserved-node annotation or a binding); from then on the snapshot itself carries them.
 */
public final class GangPlacer {
  /** How long a decision is held here at most while waiting to appear in the cache. */
  private static final Duration IN_FLIGHT_TTL = Duration.ofMinutes(2);

  private record InFlight(List<Reservation> reservations, Instant decidedAt) {
  }

  private final PlacementEngine engine;
  private final Map<String, InFlight> inFlight = new HashMap<>();

  public GangPlacer(PlacementEngine engine) {
    this.engine = engine;
  }

  /** Places the gang against the cached cluster plus decisions not yet visible there. */
  public synchronized PlacementResult place(Topology topology, List<Node> nodes, List<Pod> pods, GangRequest request, Instant now) {
    return place(topology, nodes, pods, request, List.of(), now);
  }

  /** As {@link #place(Topology, List, List, GangRequest, Instant)}, with capacity held for another gang (the queue's head) taken. */
  public synchronized PlacementResult place(Topology topology, List<Node> nodes, List<Pod> pods, GangRequest request,
      List<Reservation> taken, Instant now) {
    forgetVisible(pods, now);
    List<Reservation> extra = new ArrayList<>(taken);
    inFlight.forEach((job, f) -> {
      if (!job.equals(request.jobKey())) {
        extra.addAll(f.reservations());
      }
    });
    ClusterSnapshot snapshot = SnapshotFactory.from(topology, nodes, pods, extra);
    PlacementResult result = engine.place(snapshot, request);
    if (result.placed()) {
      List<Reservation> held = new ArrayList<>();
      for (String node : result.nodes()) {
        held.add(new Reservation(request.jobKey(), node, request.perRank()));
      }
      inFlight.put(request.jobKey(), new InFlight(held, now));
    }
    return result;
  }

  /** The job's pods were deleted or bound elsewhere: drop what this placer still holds for it. */
  public synchronized void release(String jobKey) {
    inFlight.remove(jobKey);
  }

  /**
   * A decision is held only while its job's pods exist without showing it: once the reservation is
   * on the pods, the snapshot counts it; once the pods are gone (job deleted, gang released), so is it.
   */
  private void forgetVisible(List<Pod> pods, Instant now) {
    Set<String> visible = new HashSet<>();
    Set<String> present = new HashSet<>();
    for (Pod pod : pods) {
      present.add(SnapshotFactory.jobKey(pod));
      boolean reserved = pod.getMetadata().getAnnotations() != null
          && pod.getMetadata().getAnnotations().containsKey(SnapshotFactory.RESERVED_NODE_ANNOTATION);
      boolean bound = pod.getSpec() != null && pod.getSpec().getNodeName() != null;
      if (reserved || bound) {
        visible.add(SnapshotFactory.jobKey(pod));
      }
    }
    inFlight.keySet().removeIf(job -> visible.contains(job) || !present.contains(job));
    inFlight.values().removeIf(f -> f.decidedAt().plus(IN_FLIGHT_TTL).isBefore(now));
  }

  public synchronized int inFlight() {
    return inFlight.size();
  }
}

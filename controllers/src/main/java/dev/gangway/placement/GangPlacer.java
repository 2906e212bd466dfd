package dev.gangway.placement;

import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Serialises placement decisions so that two gangs placed at the same moment never take the same
 * GPUs. A decision's capacity is held here, rank by rank, until every rank of it is bound or its pod
 * is gone, or the decision is dropped ({@link #release}): the informer cache may show some ranks'
 * reserved-node annotations long before others', and forgetting the decision at the first one let
 * another gang take the rest of its nodes.
 *
 * <p>The cluster's pods are read under the same lock, after every decision made before: a list read
 * earlier (when the reconcile observed, perhaps seconds ago on a busy replica just elected) may not
 * show the pods of a decision made since, and counting that decision's ranks as gone let a newly
 * elected leader put three gangs on one node.
 */
public final class GangPlacer {

  private final PlacementEngine engine;
  private final InFlightDecisions inFlight = new InFlightDecisions();

  public GangPlacer(PlacementEngine engine) {
    this.engine = engine;
  }

  /**
   * Places the gang against the cached cluster plus decisions not yet bound.
   *
   * @param pods every pod of the cluster as the informer cache shows it, read here, once, under the lock
   * @param rankPods the gang's pods in rank order (index = rank), which the decision is held for
   */
  public synchronized PlacementResult place(Topology topology, List<Node> nodes, Supplier<List<Pod>> pods, GangRequest request,
                                            List<Pod> rankPods) {
    return place(topology, nodes, pods, request, rankPods, List.of());
  }

  /** As {@link #place(Topology, List, Supplier, GangRequest, List)}, with capacity held for another gang (the queue's head) taken. */
  public synchronized PlacementResult place(Topology topology, List<Node> nodes, Supplier<List<Pod>> pods, GangRequest request,
                                            List<Pod> rankPods, List<Reservation> taken) {
    if (rankPods.size() != request.replicas()) {
      throw new IllegalArgumentException("a gang of " + request.replicas() + " ranks has " + rankPods.size() + " pods");
    }
    InFlightDecisions.Counted counted = inFlight.count(pods.get(), request.jobKey());
    List<Reservation> extra = new ArrayList<>(taken);
    extra.addAll(counted.reservations());
    ClusterSnapshot snapshot = SnapshotFactory.from(topology, nodes, counted.pods(), extra);
    PlacementResult result = engine.place(snapshot, request);
    if (result.placed()) {
      Map<String, InFlightDecisions.Rank> held = new HashMap<>();
      for (int rank = 0; rank < rankPods.size(); rank++) {
        Pod pod = rankPods.get(rank);
        held.put(SnapshotFactory.podKey(pod), new InFlightDecisions.Rank(result.nodeOf(rank), pod.getMetadata().getUid()));
      }
      inFlight.hold(request.jobKey(), held);
    } else {
      inFlight.drop(request.jobKey());
    }
    return result;
  }

  /**
   * The job's decision still held here, pod key ("namespace/name") → node; empty when none. It is
   * the decision the job's pods are being written with, even where the cache does not show it yet.
   */
  public synchronized Map<String, String> decisionOf(String jobKey) {
    return inFlight.of(jobKey);
  }

  /**
   * The node the job's held decision gives each of {@code pods}, for the pods it was made for: a rank pod created again
   * under the same name is left out, so it is never pinned where its predecessor was to go.
   */
  public synchronized Map<Pod, String> decisionFor(String jobKey, List<Pod> pods) {
    return inFlight.of(jobKey, pods);
  }

  /** The decision is dropped: job deleted, suspended or finished, attempt torn down, or bind timeout. */
  public synchronized void release(String jobKey) {
    inFlight.drop(jobKey);
  }

  /** Decisions held now. */
  public synchronized int inFlight() {
    return inFlight.size();
  }
}

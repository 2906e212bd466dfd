package dev.gangway.placement;

import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Serialises placement decisions so that two gangs placed at the same moment never take the same
 * GPUs. A decision's capacity is held here, rank by rank, until every rank of it is bound or its pod
 * is gone, or the decision is dropped ({@link #release}): the informer cache may show some ranks'
 * reserved-node annotations long before others', and forgetting the decision at the first one let
 * another gang take the rest of its nodes.
 *
 * <p>The cluster is read from the {@link ClusterCache} under the same lock, after every decision made before: a read
 * taken earlier (when the reconcile observed, perhaps seconds ago on a busy replica just elected) may not show the
 * pods of a decision made since, and counting that decision's ranks as gone let a newly elected leader put three
 * gangs on one node.
 */
public final class GangPlacer {

  private final PlacementEngine engine;
  private final ClusterCache cluster;
  private final InFlightDecisions inFlight = new InFlightDecisions();
  private final Consumer<Duration> solved;

  /** @param cluster the cluster as the informers show it, kept current by the caller */
  public GangPlacer(PlacementEngine engine, ClusterCache cluster) {
    this(engine, cluster, took -> { });
  }

  /** @param solved told how long each {@link #place} took once it held the lock: the cluster read, snapshot and engine */
  public GangPlacer(PlacementEngine engine, ClusterCache cluster, Consumer<Duration> solved) {
    this.engine = engine;
    this.cluster = cluster;
    this.solved = solved;
  }

  /**
   * Places the gang against the cached cluster plus decisions not yet bound, before its pods exist: they are created
   * already pinned to the decided nodes. Until a rank's pod is seen in the cache, the decision holds its node until
   * {@code createBy}.
   *
   * @param rankPodKeys the keys ("namespace/name") of the gang's pods, to be created, in rank order (index = rank)
   * @param taken capacity held for another gang (the queue's head), which this one may not use
   * @param leaving keys ("namespace/name") of the job's pods of earlier attempts, being deleted: their GPUs are free to it
   * @param now the time of the decision, against which the creation deadlines of held decisions are judged
   */
  public PlacementResult place(Topology topology, GangRequest request, List<String> rankPodKeys, List<Reservation> taken,
                               Set<String> leaving, Instant now, Instant createBy) {
    return place(topology, request, rankPodKeys, taken, leaving, now, createBy, false);
  }

  /**
   * The same for a gang that may hold out for a tighter placement ({@code holdOutForTighter}): if the one it gets now is
   * looser ({@link TighterPlacement}), nothing is decided and the result says {@link
   * PlacementResult#WAITING_FOR_TIGHTER_PLACEMENT}, with how much looser.
   */
  public synchronized PlacementResult place(Topology topology, GangRequest request, List<String> rankPodKeys, List<Reservation> taken,
                                            Set<String> leaving, Instant now, Instant createBy, boolean holdOutForTighter) {
    int ranks = rankPodKeys.size();
    if (ranks != request.replicas()) {
      throw new IllegalArgumentException("a gang of " + request.replicas() + " ranks has " + ranks + " pods");
    }
    long started = System.nanoTime();
    Set<String> asked = inFlight.podKeys();
    asked.addAll(leaving);
    ClusterCache.Reading read = cluster.read(asked);
    InFlightDecisions.Counted counted = inFlight.count(key -> leaving.contains(key) ? null : read.pod(key), request.jobKey(), now);
    List<Reservation> extra = new ArrayList<>(taken);
    extra.addAll(counted.reservations());
    Set<String> ignored = new HashSet<>(leaving);
    ignored.addAll(counted.spokenFor());
    ClusterSnapshot snapshot = read.snapshot(topology, ignored, extra);
    PlacementResult result = engine.place(snapshot, request);
    if (holdOutForTighter) {
      PlacementResult placedNow = result;
      result = TighterPlacement.looser(snapshot, request, placedNow, engine)
          .map(why -> PlacementResult.doesNotFit(PlacementResult.WAITING_FOR_TIGHTER_PLACEMENT, why, placedNow.unavailableNodes()))
          .orElse(placedNow);
    }
    if (result.placed()) {
      Map<String, InFlightDecisions.Rank> decision = new HashMap<>();
      for (int rank = 0; rank < ranks; rank++) {
        decision.put(rankPodKeys.get(rank), InFlightDecisions.Rank.toCreate(result.nodeOf(rank), request.perRank(), createBy));
      }
      inFlight.hold(request.jobKey(), decision);
    } else {
      inFlight.drop(request.jobKey());
    }
    solved.accept(Duration.ofNanos(System.nanoTime() - started));
    return result;
  }

  /**
   * The cluster as the cache shows it now, without the {@code leaving} pods, without decisions not yet written: what
   * the queue weighs gangs against.
   */
  public ClusterSnapshot snapshot(Topology topology, Set<String> leaving) {
    return cluster.read(leaving).snapshot(topology, leaving, List.of());
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

  /**
   * The node of each of {@code podKeys} whose pod the job's held decision still has to create (not seen yet, before its
   * creation deadline); a rank whose pod was seen and is gone is left out.
   */
  public synchronized Map<String, String> toCreate(String jobKey, List<String> podKeys, Instant now) {
    return inFlight.toCreate(jobKey, podKeys, now);
  }

  /** Ranks of the job's held decision not created yet keep their nodes until the given instants (pod key → instant). */
  public synchronized void holdUntil(String jobKey, Map<String, Instant> untilByPodKey) {
    inFlight.holdUntil(jobKey, untilByPodKey);
  }

  /**
   * The decision is dropped: job deleted, suspended or finished, attempt torn down, bind timeout, or its pods refused.
   * Nodes it held for ranks not created yet are free at once, with no pod event to say so: the cache announces them to
   * the gangs waiting for capacity.
   */
  public void release(String jobKey) {
    boolean freed;
    synchronized (this) {
      freed = inFlight.drop(jobKey);
    }
    if (freed) {
      cluster.heldCapacityReleased();
    }
  }

  /**
   * Drops the decisions of jobs that no longer exist ({@code exists} is false for their key): a job deleted before its
   * pods were created or bound (its namespace deleted, whose pod creates are then refused) gets no reconcile to release
   * them, and would otherwise hold its nodes until the creation or bind deadline.
   *
   * @return the keys of the jobs whose decisions were dropped
   */
  public Set<String> retainJobs(java.util.function.Predicate<String> exists) {
    InFlightDecisions.Dropped dropped;
    synchronized (this) {
      dropped = inFlight.retainJobs(exists);
    }
    if (dropped.freed()) {
      cluster.heldCapacityReleased();
    }
    return dropped.jobKeys();
  }

  /** Decisions held now. */
  public synchronized int inFlight() {
    return inFlight.size();
  }
}

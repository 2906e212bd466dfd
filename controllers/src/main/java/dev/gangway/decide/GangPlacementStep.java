package dev.gangway.decide;

import dev.gangway.observe.GangObservation;
import dev.gangway.pod.JobNames;
import dev.gangway.placement.GangPlacer;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementQueue;
import dev.gangway.placement.PlacementResult;
import dev.gangway.placement.QueuedGang;
import dev.gangway.placement.SnapshotFactory;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Places a gang all or nothing. Ranks are created held by the {@link #GATE} scheduling gate; once
 * every rank exists, one decision assigns them all. Phase 1 writes the assignment on the still-gated
 * pods (the reserved-node annotation, which also reserves the capacity for everyone's snapshot);
 * phase 2 pins each pod to its node with required node affinity and lifts the gate, and
 * kube-scheduler binds. A crash between the phases resumes at phase 2 without deciding again.
 *
 * <p>On a restart the next attempt is decided while the failed attempt's pods still terminate: their
 * GPUs count as free for this job (they are going away), and each new rank is released only once no
 * pod of an earlier attempt is left on its node, so kube-scheduler never sees a rank it cannot bind
 * yet. Teardown and placement overlap instead of running one after the other.
 */
public final class GangPlacementStep {
  public static final String GATE = "gangway.dev/placement";
  /** Placed=False reason of a gang that could not be placed even on an empty cluster. */
  public static final String UNSCHEDULABLE = "Unschedulable";
  /** Placed=False reason of a gang that waits while the head of the queue holds the capacity it would need. */
  public static final String QUEUED_BEHIND = "QueuedBehind";

  /**
   * The cluster as the informer caches show it, the job's topology and scheduling priority, and the
   * gangs waiting to be placed as stored in the API server ({@link WaitingGangs}), read only when this gang decides.
   */
  public record Inputs(Topology topology, List<Node> nodes, List<Pod> allPods, int priority, Set<String> excludedNodes,
                       Supplier<List<QueuedGang>> queued) {
  }

  /** What to write to the pods; empty lists mean nothing to write. */
  public record Plan(PlacementOutcome outcome, Map<Pod, String> annotate, Map<Pod, String> release, List<Pod> delete) {
    static Plan of(PlacementOutcome outcome) {
      return new Plan(outcome, Map.of(), Map.of(), List.of());
    }
  }

  private final GangPlacer placer;
  private final PlacementQueue queue;
  private final Duration bindTimeout;
  private volatile int queueLength;

  public GangPlacementStep(GangPlacer placer, PlacementQueue queue, Duration bindTimeout) {
    this.placer = placer;
    this.queue = queue;
    this.bindTimeout = bindTimeout;
  }

  /** Decides what to write; {@code placedTime} is when this attempt was last placed, or null. */
  public Plan plan(String jobKey, TrainingJobSpecView job, GangObservation gang, List<Pod> attemptPods, Inputs in,
                   String placedTime, Instant now) {
    if (!gang.missing().isEmpty() || attemptPods.size() != gang.ranks().size()) {
      return Plan.of(PlacementOutcome.NONE);
    }
    Set<String> stillHeld = nodesHeldBy(gang.otherPods());
    List<Pod> gated = attemptPods.stream().filter(GangPlacementStep::gated).toList();
    if (gated.isEmpty()) {
      return bindTimeout(jobKey, attemptPods, placedTime, now);
    }
    if (attemptPods.stream().allMatch(p -> reservedNode(p) != null)) {
      // Phase 2 of a decision already written (this reconcile's or a previous operator's).
      Map<Pod, String> release = new java.util.LinkedHashMap<>();
      gated.stream().filter(p -> !stillHeld.contains(reservedNode(p))).forEach(p -> release.put(p, reservedNode(p)));
      return new Plan(PlacementOutcome.NONE, Map.of(), release, List.of());
    }
    GangRequest request = GangRequest.from(jobKey, job.spec(), in.excludedNodes());
    List<Pod> pods = withoutLeaving(in.allPods(), gang.otherPods());
    List<QueuedGang> queued = in.queued().get();
    Instant waitingSince = queued.stream().filter(g -> g.jobKey().equals(jobKey)).findFirst().map(QueuedGang::waitingSince).orElse(now);
    PlacementQueue.Admission admission = queue.admit(new QueuedGang(jobKey, in.priority(), job.createdAt(), waitingSince, in.topology(),
        request), queued, topology -> SnapshotFactory.from(topology, in.nodes(), pods));
    queueLength = admission.queueLength();
    if (admission.kind() == PlacementQueue.Admission.Kind.UNSCHEDULABLE) {
      return Plan.of(PlacementOutcome.waiting(UNSCHEDULABLE, admission.message()));
    }
    PlacementResult result = placer.place(in.topology(), in.nodes(), pods, request, admission.hidden(), now);
    if (!result.placed()) {
      return Plan.of(admission.head() == null ? PlacementOutcome.waiting(result.reason(), result.message())
          : PlacementOutcome.waiting(QUEUED_BEHIND, admission.head().jobKey() + " is first in the queue (priority "
              + admission.head().priority() + ", waiting since " + admission.head().waitingSince() + ") and holds "
              + admission.held().where() + " for its start; on the rest of the cluster: " + result.message()));
    }
    Map<Pod, String> annotate = new java.util.LinkedHashMap<>();
    Map<Pod, String> release = new java.util.LinkedHashMap<>();
    for (Pod pod : attemptPods) {
      String node = result.nodeOf(rankOf(pod));
      annotate.put(pod, node);
      if (gated(pod) && !stillHeld.contains(node)) {
        release.put(pod, node);
      }
    }
    return new Plan(PlacementOutcome.placed(result.nodes(), result.quality()), annotate, release, List.of());
  }

  /** Nodes where a pod of an earlier attempt is still bound: its GPUs are not free for kube-scheduler yet. */
  private static Set<String> nodesHeldBy(List<Pod> leaving) {
    Set<String> held = new java.util.HashSet<>();
    leaving.stream().map(p -> p.getSpec() == null ? null : p.getSpec().getNodeName()).filter(java.util.Objects::nonNull)
        .forEach(held::add);
    return held;
  }

  /** The cluster's pods without this job's earlier attempts, which are being deleted. */
  private static List<Pod> withoutLeaving(List<Pod> allPods, List<Pod> leaving) {
    if (leaving.isEmpty()) {
      return allPods;
    }
    Set<String> names = new java.util.HashSet<>();
    leaving.forEach(p -> names.add(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()));
    return allPods.stream().filter(p -> !names.contains(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())).toList();
  }

  private Plan bindTimeout(String jobKey, List<Pod> attemptPods, String placedTime, Instant now) {
    List<Pod> unbound = attemptPods.stream().filter(p -> p.getSpec().getNodeName() == null).toList();
    if (unbound.isEmpty() || placedTime == null || Instant.parse(placedTime).plus(bindTimeout).isAfter(now)) {
      return Plan.of(PlacementOutcome.NONE);
    }
    placer.release(jobKey);
    String message = unbound.size() + " of " + attemptPods.size() + " ranks were not bound by kube-scheduler within "
        + bindTimeout.toSeconds() + " s of placement (first: " + unbound.get(0).getMetadata().getName()
        + "); released the gang to place it again";
    return new Plan(PlacementOutcome.expired(message), Map.of(), Map.of(), new ArrayList<>(attemptPods));
  }

  /** Gangs waiting for capacity, as the latest decision counted them. */
  public int waiting() {
    return queueLength;
  }

  /** The gang is gone for good (finished, suspended, deleted): drop what the placer holds for it. */
  public void forget(String jobKey) {
    placer.release(jobKey);
  }

  static boolean gated(Pod pod) {
    List<PodSchedulingGate> gates = pod.getSpec().getSchedulingGates();
    return gates != null && gates.stream().anyMatch(g -> GATE.equals(g.getName()));
  }

  public static String reservedNode(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(SnapshotFactory.RESERVED_NODE_ANNOTATION);
  }

  static int rankOf(Pod pod) {
    return Integer.parseInt(pod.getMetadata().getLabels().get(JobNames.LABEL_RANK));
  }

  /** The parts of a TrainingJob placement reads, so tests need no full object. */
  public record TrainingJobSpecView(dev.gangway.api.v1alpha1.TrainingJobSpec spec, Instant createdAt) {
  }
}

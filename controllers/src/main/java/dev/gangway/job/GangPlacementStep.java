package dev.gangway.job;

import dev.gangway.placement.GangPlacer;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementQueue;
import dev.gangway.placement.PlacementResult;
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

/**
 * Places a gang all or nothing. Ranks are created held by the {@link #GATE} scheduling gate; once
 * every rank exists, one decision assigns them all. Phase 1 writes the assignment on the still-gated
 * pods (the reserved-node annotation, which also reserves the capacity for everyone's snapshot);
 * phase 2 pins each pod to its node with required node affinity and lifts the gate, and
 * kube-scheduler binds. A crash between the phases resumes at phase 2 without deciding again, and so
 * does a reconcile whose cache shows only part of phase 1 yet: the {@link GangPlacer} still holds the
 * decision, which is never made twice.
 *
 * <p>On a restart the next attempt is decided while the failed attempt's pods still terminate: their
 * GPUs count as free for this job (they are going away), and each new rank is released only once no
 * pod of an earlier attempt is left on its node, so kube-scheduler never sees a rank it cannot bind
 * yet. Teardown and placement overlap instead of running one after the other.
 */
public final class GangPlacementStep {
  public static final String GATE = "gangway.dev/placement";

  /** The cluster as the informer caches show it, and the job's topology and scheduling priority. */
  public record Inputs(Topology topology, List<Node> nodes, List<Pod> allPods, int priority, Set<String> excludedNodes) {
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
      queue.leave(jobKey);
      return bindTimeout(jobKey, attemptPods, placedTime, now);
    }
    Map<Pod, String> decided = decidedNodes(jobKey, attemptPods);
    if (decided.size() == attemptPods.size()) {
      // Phase 2 of a decision already made (this operator's, perhaps not all visible in the cache yet, or a previous
      // operator's); phase 1 again only where the cache shows no (or an older) annotation: a write that failed or not seen yet.
      Map<Pod, String> annotate = new java.util.LinkedHashMap<>();
      Map<Pod, String> release = new java.util.LinkedHashMap<>();
      decided.forEach((pod, node) -> {
        if (!node.equals(reservedNode(pod))) {
          annotate.put(pod, node);
        }
        if (gated(pod) && !stillHeld.contains(node)) {
          release.put(pod, node);
        }
      });
      return new Plan(PlacementOutcome.NONE, annotate, release, List.of());
    }
    PlacementQueue.Admission admission = queue.admit(jobKey, in.priority(), job.createdAt(), now);
    if (!admission.mayPlace()) {
      return Plan.of(PlacementOutcome.waiting("QueuedBehind", "waiting behind " + admission.blockedBy().jobKey()
          + " (priority " + admission.blockedBy().priority() + ", waiting since " + admission.blockedBy().waitingSince()
          + "), which has waited past the backfill bound"));
    }
    GangRequest request = GangRequest.from(jobKey, job.spec(), in.excludedNodes());
    PlacementResult result = placer.place(in.topology(), in.nodes(), withoutLeaving(in.allPods(), gang.otherPods()), request,
        attemptPods.stream().sorted(java.util.Comparator.comparingInt(GangPlacementStep::rankOf)).toList());
    if (!result.placed()) {
      return Plan.of(PlacementOutcome.waiting(result.reason(), result.message()));
    }
    queue.leave(jobKey);
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

  /** The node of each rank as decided: the placer's decision if it still holds one for these pods, else the pod's annotation. */
  private Map<Pod, String> decidedNodes(String jobKey, List<Pod> attemptPods) {
    Map<String, String> held = placer.decisionOf(jobKey);
    Map<Pod, String> decided = new java.util.LinkedHashMap<>();
    for (Pod pod : attemptPods) {
      String node = held.get(SnapshotFactory.podKey(pod));
      if (node == null) {
        node = reservedNode(pod);
      }
      if (node != null) {
        decided.put(pod, node);
      }
    }
    return decided;
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

  /** Gangs waiting for capacity now. */
  public int waiting() {
    return queue.size();
  }

  /** Forgets queue entries of jobs that no longer exist. */
  public void prune(java.util.function.Predicate<String> exists) {
    queue.snapshot().stream().map(PlacementQueue.Entry::jobKey).filter(k -> !exists.test(k)).forEach(k -> forget(k));
  }

  /** The gang left the queue for good (finished, suspended, deleted). */
  public void forget(String jobKey) {
    queue.leave(jobKey);
    placer.release(jobKey);
  }

  static boolean gated(Pod pod) {
    List<PodSchedulingGate> gates = pod.getSpec().getSchedulingGates();
    return gates != null && gates.stream().anyMatch(g -> GATE.equals(g.getName()));
  }

  static String reservedNode(Pod pod) {
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

package dev.gangway.decide;

import dev.gangway.observe.GangObservation;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What the reconciler must change so the pods match the status just decided. Pure.
 *
 * @param ranksToCreate ranks of the current attempt to create, each pinned where placement decided
 * @param podsToDelete pods that must go: every pod of a suspended job or of a failed attempt, pods of older attempts, and
 *     still-running pods of a finished job (they hold GPUs; finished pods stay for their logs)
 * @param podsToForceDelete pods that go (or are going) bound to a node that no longer exists: no kubelet will ever
 *     confirm their end, so they are removed without a grace period, as the pod garbage collector would do later;
 *     until then they would show Running beside the next attempt, and their GPUs would never be freed
 */
public record GangActions(boolean ensureSharedObjects, List<PinnedRank> ranksToCreate, List<Pod> podsToDelete, List<Pod> podsToForceDelete) {

  /**
   * @param nodeExists whether a Node of that name exists (as the informer cache shows it)
   * @param placed the missing ranks placement has a node for: only a placed rank's pod is created
   * @param neverFits the gang could not be placed even on an empty cluster: neither its missing ranks nor its Service
   *     and hostfile are created
   */
  public static GangActions decide(TrainingJobStatus status, GangObservation gang, List<Pod> allPods, Predicate<String> nodeExists,
                                   List<PinnedRank> placed, boolean neverFits) {
    JobPhase phase = status.getPhase();
    if (phase == JobPhase.Suspended) {
      return going(false, List.of(), live(allPods), allPods, nodeExists);
    }
    if (phase == JobPhase.Restarting && status.getNextRestartTime() != null) {
      // Tearing the failed attempt down: a collective cannot continue without a rank.
      return going(true, List.of(), live(allPods), allPods, nodeExists);
    }
    if (phase != null && phase.isFinished()) {
      List<Pod> active = live(allPods).stream().filter(p -> !terminated(p)).toList();
      return going(false, List.of(), active, allPods, nodeExists);
    }
    if (neverFits) {
      return going(false, List.of(), live(gang.otherPods()), allPods, nodeExists);
    }
    return going(true, placed, live(gang.otherPods()), allPods, nodeExists);
  }

  private static GangActions going(boolean shared, List<PinnedRank> create, List<Pod> delete, List<Pod> allPods, Predicate<String> nodeExists) {
    List<Pod> deleting = allPods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() != null).toList();
    List<Pod> force = Stream.concat(delete.stream(), deleting.stream())
        .filter(p -> p.getSpec() != null && p.getSpec().getNodeName() != null && !nodeExists.test(p.getSpec().getNodeName()))
        .toList();
    return new GangActions(shared, create, delete, force);
  }

  /** Pods not already being deleted. */
  private static List<Pod> live(List<Pod> pods) {
    List<Pod> live = new ArrayList<>();
    for (Pod p : pods) {
      if (p.getMetadata().getDeletionTimestamp() == null) {
        live.add(p);
      }
    }
    return live;
  }

  private static boolean terminated(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }
}

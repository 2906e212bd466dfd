package dev.gangway.decide;

import dev.gangway.observe.GangObservation;
import dev.gangway.pod.RankState;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;

/**
 * What the reconciler must change so the pods match the status just decided. Pure.
 *
 * @param ranksToCreate ranks of the current attempt whose pod is missing
 * @param podsToDelete pods that must go: every pod of a suspended job or of a failed attempt, pods of older attempts, and
 *     still-running pods of a finished job (they hold GPUs; finished pods stay for their logs)
 */
public record GangActions(boolean ensureSharedObjects, List<Integer> ranksToCreate, List<Pod> podsToDelete) {

  public static GangActions decide(TrainingJobStatus status, GangObservation gang, List<Pod> allPods) {
    JobPhase phase = status.getPhase();
    if (phase == JobPhase.Suspended) {
      return new GangActions(false, List.of(), live(allPods));
    }
    if (phase == JobPhase.Restarting && status.getNextRestartTime() != null) {
      // Tearing the failed attempt down: a collective cannot continue without a rank.
      return new GangActions(true, List.of(), live(allPods));
    }
    if (phase != null && phase.isFinished()) {
      List<Pod> active = live(allPods).stream().filter(p -> !terminated(p)).toList();
      return new GangActions(false, List.of(), active);
    }
    List<Integer> create = gang.missing().stream().map(RankState::rank).toList();
    return new GangActions(true, create, live(gang.otherPods()));
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

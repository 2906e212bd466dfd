package dev.gangway.act;

import dev.gangway.pod.JobNames;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Splits the pods to delete into whole attempts and single pods. An attempt that goes as a whole (a
 * restart, a suspend) is torn down in the background ({@link Teardowns}) while the reconcile goes
 * on to create the next attempt; anything else (a finished job's still-running ranks) is deleted
 * pod by pod before the reconcile ends. Pure.
 *
 * @param attempts attempts whose every live pod goes, with those pods, by attempt number
 * @param pods single pods to delete
 */
record PodDeletions(Map<Integer, List<Pod>> attempts, List<Pod> pods) {

  /**
   * @param toDelete pods to delete (not already being deleted)
   * @param jobPods every pod of the job the cache shows
   */
  static PodDeletions of(List<Pod> toDelete, List<Pod> jobPods) {
    Set<String> deleting = new HashSet<>();
    toDelete.forEach(p -> deleting.add(p.getMetadata().getName()));
    Map<Integer, List<Pod>> byAttempt = new TreeMap<>();
    List<Pod> single = new ArrayList<>();
    for (Pod pod : toDelete) {
      Integer attempt = attemptOf(pod);
      if (attempt == null) {
        single.add(pod);
      } else {
        byAttempt.computeIfAbsent(attempt, a -> new ArrayList<>()).add(pod);
      }
    }
    Map<Integer, List<Pod>> whole = new TreeMap<>();
    byAttempt.forEach((attempt, pods) -> {
      // Whole only if no live pod of this attempt is kept: a collection delete would take it too.
      boolean keepsSome = jobPods.stream().anyMatch(p -> attempt.equals(attemptOf(p)) && p.getMetadata().getDeletionTimestamp() == null
          && !deleting.contains(p.getMetadata().getName()));
      if (pods.size() > 1 && !keepsSome) {
        whole.put(attempt, List.copyOf(pods));
      } else {
        single.addAll(pods);
      }
    });
    return new PodDeletions(whole, List.copyOf(single));
  }

  private static Integer attemptOf(Pod pod) {
    String value = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(JobNames.LABEL_ATTEMPT);
    try {
      return value == null ? null : Integer.valueOf(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}

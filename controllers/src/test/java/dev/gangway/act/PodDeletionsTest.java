package dev.gangway.act;

import dev.gangway.job.TestJobs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodDeletionsTest {
  private final TrainingJob job = TestJobs.job("llm", 4, 8);

  private List<Pod> attempt(int attempt) {
    List<Pod> pods = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      pods.add(RankPodBuilder.build(job, r, attempt, null));
    }
    return pods;
  }

  @Test
  void aWholeAttemptIsOneCollectionDelete() {
    List<Pod> first = attempt(1);
    PodDeletions deletions = PodDeletions.of(first, first);
    assertThat(deletions.attempts()).containsOnlyKeys(1);
    assertThat(deletions.attempts().get(1)).hasSize(4);
    assertThat(deletions.pods()).isEmpty();
  }

  @Test
  void anAttemptWithAPodToKeepIsDeletedPodByPod() {
    // A finished job stops its running ranks but keeps the exited ones for their logs.
    List<Pod> first = attempt(1);
    PodDeletions deletions = PodDeletions.of(first.subList(1, 4), first);
    assertThat(deletions.attempts()).isEmpty();
    assertThat(deletions.pods()).hasSize(3);
  }

  @Test
  void podsAlreadyBeingDeletedDoNotCountAsKept() {
    List<Pod> first = attempt(1);
    first.get(0).getMetadata().setDeletionTimestamp("2026-11-26T10:00:00Z");
    assertThat(PodDeletions.of(first.subList(1, 4), first).attempts()).containsOnlyKeys(1);
  }

  @Test
  void olderAttemptsGoWholeWhileTheCurrentOneStays() {
    List<Pod> all = new ArrayList<>(attempt(1));
    all.addAll(attempt(2));
    List<Pod> all3 = new ArrayList<>(all);
    all3.addAll(attempt(3));
    PodDeletions deletions = PodDeletions.of(all, all3);
    assertThat(deletions.attempts()).containsOnlyKeys(1, 2);
    assertThat(deletions.pods()).isEmpty();
  }

  @Test
  void aSinglePodIsDeletedByName() {
    List<Pod> first = attempt(1);
    PodDeletions deletions = PodDeletions.of(first.subList(0, 1), first.subList(0, 1));
    assertThat(deletions.attempts()).isEmpty();
    assertThat(deletions.pods()).hasSize(1);
  }
}

package dev.gangway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.act.RankPodBuilder;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.job.TestJobs;
import dev.gangway.pod.RankPhase;
import dev.gangway.pod.RankState;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an observation of a gang costs follows the pods that exist, not the ranks the spec asks for. */
class GangObservationTest {
  private final TrainingJob job = TestJobs.job("llm", 4, 8);

  private Pod rank(int rank) {
    return RankPodBuilder.build(job, rank, 1, null);
  }

  @Test
  void ranksWithoutAPodAreMissingInRankOrderAroundThoseWithOne() {
    GangObservation gang = GangObservation.of(List.of(rank(2), rank(0)), 1, 4);
    assertThat(gang.ranks()).extracting(RankState::rank).containsExactly(0, 1, 2, 3);
    assertThat(gang.ranks()).extracting(RankState::phase).containsExactly(RankPhase.Pending, RankPhase.Missing, RankPhase.Pending,
        RankPhase.Missing);
    assertThat(gang.present()).extracting(RankState::rank).containsExactly(0, 2);
    assertThat(gang.missing()).extracting(RankState::rank).containsExactly(1, 3);
    assertThat(gang.count(RankPhase.Missing)).isEqualTo(2);
    assertThat(gang.complete()).isFalse();
    assertThat(GangObservation.of(List.of(rank(1), rank(0), rank(3), rank(2)), 1, 4).complete()).isTrue();
  }

  @Test
  void twoBillionRanksWithoutPodsTakeNoMemory() {
    GangObservation gang = GangObservation.of(List.of(rank(0)), 1, Integer.MAX_VALUE);
    assertThat(gang.ranks()).hasSize(Integer.MAX_VALUE);
    assertThat(gang.ranks().get(Integer.MAX_VALUE - 1)).isEqualTo(RankState.missing(Integer.MAX_VALUE - 1));
    assertThat(gang.count(RankPhase.Missing)).isEqualTo(Integer.MAX_VALUE - 1L);
    assertThat(gang.count(RankPhase.Pending)).isEqualTo(1);
    assertThat(gang.readyRanks()).isZero();
    assertThat(gang.allRunning()).isFalse();
    assertThat(gang.complete()).isFalse();
  }
}

package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.PlacementStatus;
import dev.gangway.api.v1alpha1.RankPlacement;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Which status changes wait for the next progress write, and for how long. */
class ProgressPacingTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Instant WRITTEN = Instant.parse("2026-12-01T00:00:00Z");

  /** A restarting gang of 4 ranks, 2 of the new attempt running; its status was last written at {@link #WRITTEN}. */
  private static TrainingJobStatus stored() {
    TrainingJobStatus s = new TrainingJobStatus();
    s.setPhase(JobPhase.Restarting);
    s.setAttempt(2);
    s.setReadyRanks(2);
    s.setReady("2/4");
    s.setConditions(new ArrayList<>(List.of(
        new ConditionBuilder().withType(JobConditions.PLACED).withStatus("True").withReason("Placed").withMessage("4 ranks on 4 nodes")
            .withLastTransitionTime(WRITTEN.minusSeconds(10).toString()).withObservedGeneration(1L).build(),
        new ConditionBuilder().withType(JobConditions.RUNNING).withStatus("False").withReason("Restarting")
            .withMessage("2/4 ranks of attempt 2 running").withLastTransitionTime(WRITTEN.minusSeconds(20).toString())
            .withObservedGeneration(1L).build())));
    PlacementStatus placement = new PlacementStatus();
    placement.setRanks(new ArrayList<>(List.of(new RankPlacement(0, "n0", "job-0-a2"), new RankPlacement(1, "n1", "job-1-a2"))));
    placement.setPlacedTime(WRITTEN.minusSeconds(10).toString());
    s.setPlacement(placement);
    return s;
  }

  private static TrainingJobStatus changed(Consumer<TrainingJobStatus> change) {
    TrainingJobStatus next = SERIALIZATION.clone(stored());
    change.accept(next);
    return next;
  }

  static List<Arguments> changes() {
    return List.of(
        Arguments.of("one more rank ready", true, (Consumer<TrainingJobStatus>) s -> {
          s.setReadyRanks(3);
          s.setReady("3/4");
        }),
        Arguments.of("a rank's pod listed", true, (Consumer<TrainingJobStatus>) s ->
            s.getPlacement().getRanks().add(new RankPlacement(2, "n2", "job-2-a2"))),
        Arguments.of("a condition's message, same status and reason", true, (Consumer<TrainingJobStatus>) s ->
            s.getConditions().get(1).setMessage("3/4 ranks of attempt 2 running")),
        Arguments.of("all of those at once", true, (Consumer<TrainingJobStatus>) s -> {
          s.setReadyRanks(3);
          s.setReady("3/4");
          s.getPlacement().getRanks().add(new RankPlacement(2, "n2", "job-2-a2"));
          s.getConditions().get(1).setMessage("3/4 ranks of attempt 2 running");
        }),
        Arguments.of("nothing", false, (Consumer<TrainingJobStatus>) s -> { }),
        Arguments.of("the phase", false, (Consumer<TrainingJobStatus>) s -> s.setPhase(JobPhase.Running)),
        Arguments.of("a condition's reason", false, (Consumer<TrainingJobStatus>) s -> s.getConditions().get(1).setReason("RanksPending")),
        Arguments.of("a condition's status", false, (Consumer<TrainingJobStatus>) s -> {
          s.getConditions().get(1).setStatus("True");
          s.getConditions().get(1).setLastTransitionTime(WRITTEN.plusSeconds(1).toString());
        }),
        Arguments.of("a new condition", false, (Consumer<TrainingJobStatus>) s -> s.getConditions().add(new ConditionBuilder()
            .withType(JobConditions.FAILED).withStatus("True").withReason("BackoffLimitExceeded").build())),
        Arguments.of("a new placement decision", false, (Consumer<TrainingJobStatus>) s -> {
          s.getPlacement().setPlacedTime(WRITTEN.plusSeconds(1).toString());
          s.getPlacement().getRanks().set(0, new RankPlacement(0, "n9", "job-0-a2"));
        }),
        Arguments.of("the attempt", false, (Consumer<TrainingJobStatus>) s -> s.setAttempt(3)),
        Arguments.of("a restart time", false, (Consumer<TrainingJobStatus>) s -> s.setNextRestartTime(WRITTEN.plusSeconds(5).toString())),
        Arguments.of("a start time", false, (Consumer<TrainingJobStatus>) s -> s.setStartTime(WRITTEN.plusSeconds(1).toString())));
  }

  @ParameterizedTest(name = "{0}: paced {1}")
  @MethodSource("changes")
  void onlyProgressWaits(String change, boolean paced, Consumer<TrainingJobStatus> apply) {
    TrainingJobStatus next = changed(apply);
    assertThat(ProgressPacing.onlyProgress(stored(), next)).isEqualTo(paced);
    assertThat(next).as("left as it was decided").isEqualTo(changed(apply));
    Duration hold = ProgressPacing.holdFor(stored(), next, List.of(), 4, WRITTEN, WRITTEN.plusMillis(300));
    if (paced) {
      assertThat(hold).isEqualTo(Duration.ofMillis(700));
    } else {
      assertThat(hold).isNull();
    }
  }

  @Test
  void progressIsWrittenOnceTheIntervalHasPassedSinceTheLastWrite() {
    TrainingJobStatus next = changed(s -> s.setReadyRanks(3));
    assertThat(ProgressPacing.holdFor(stored(), next, List.of(), 4, WRITTEN, WRITTEN.plusMillis(999))).isEqualTo(Duration.ofMillis(1));
    assertThat(ProgressPacing.holdFor(stored(), next, List.of(), 4, WRITTEN, WRITTEN.plusSeconds(1))).isNull();
    assertThat(ProgressPacing.holdFor(stored(), next, List.of(), 4, WRITTEN, WRITTEN.plusSeconds(30))).isNull();
  }

  @Test
  void progressWorthAnEventIsWrittenAtOnce() {
    TrainingJobStatus next = changed(s -> s.setReadyRanks(3));
    assertThat(ProgressPacing.holdFor(stored(), next, List.of(JobEvent.normal("Running", "all ranks running")), 4, WRITTEN, WRITTEN)).isNull();
  }

  @Test
  void aJobWhoseLastWriteThisReplicaDoesNotKnowIsNotPaced() {
    TrainingJobStatus next = changed(s -> s.setReadyRanks(3));
    assertThat(ProgressPacing.holdFor(stored(), next, List.of(), 4, null, WRITTEN)).as("a new leader writes its first change").isNull();
  }

  @Test
  void aBiggerGangWritesItsProgressLessOftenUpToFiveSeconds() {
    assertThat(ProgressPacing.interval(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(ProgressPacing.interval(400)).isEqualTo(Duration.ofSeconds(1));
    assertThat(ProgressPacing.interval(1000)).isEqualTo(Duration.ofMillis(2500));
    assertThat(ProgressPacing.interval(2000)).isEqualTo(Duration.ofSeconds(5));
    assertThat(ProgressPacing.interval(100_000)).isEqualTo(Duration.ofSeconds(5));
  }
}

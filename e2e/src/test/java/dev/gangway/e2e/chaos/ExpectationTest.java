package dev.gangway.e2e.chaos;

import static dev.gangway.e2e.chaos.FaultKind.KILL_LEADER;
import static dev.gangway.e2e.chaos.FaultKind.NODE_DELETED;
import static dev.gangway.e2e.chaos.FaultKind.NODE_NOT_READY_BLIP;
import static dev.gangway.e2e.chaos.FaultKind.OOM_EXIT;
import static dev.gangway.e2e.chaos.FaultKind.PERMANENT_EXIT;
import static dev.gangway.e2e.chaos.FaultKind.RETRYABLE_EXIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.e2e.chaos.Expectation.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ExpectationTest {
  private static final JobPlan JOB = new JobPlan("j", 2, 1, null, 0, null, ChaosPlanner.LOW, Duration.ZERO, Duration.ZERO, null, 2, 1, true);

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(List.of(), false, new Expectation(Outcome.SUCCEEDED, 0, 0)),
        Arguments.of(List.of(RETRYABLE_EXIT, KILL_LEADER, NODE_NOT_READY_BLIP, OOM_EXIT), false, new Expectation(Outcome.SUCCEEDED, 2, 0)),
        Arguments.of(List.of(RETRYABLE_EXIT, OOM_EXIT, RETRYABLE_EXIT), false, new Expectation(Outcome.FAILED, 2, 0)),
        Arguments.of(List.of(NODE_DELETED), false, new Expectation(Outcome.SUCCEEDED, 0, 1)),
        Arguments.of(List.of(NODE_DELETED, NODE_DELETED), false, new Expectation(Outcome.FAILED, 0, 1)),
        Arguments.of(List.of(RETRYABLE_EXIT, PERMANENT_EXIT, RETRYABLE_EXIT), false, new Expectation(Outcome.FAILED, 1, 0)),
        Arguments.of(List.of(PERMANENT_EXIT), true, new Expectation(Outcome.DELETED, 0, 0)));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void theFaultsThatHitAJobDecideHowItEnds(List<FaultKind> hits, boolean deleted, Expectation expected) {
    assertThat(Expectation.of(JOB, hits, deleted)).isEqualTo(expected);
  }

  @Test
  void aBlipThatOverranItsGraceMayEndEitherWay() {
    List<FaultKind> hits = List.of(NODE_NOT_READY_BLIP, RETRYABLE_EXIT);
    assertThat(Expectation.acceptable(JOB, hits, Set.of(0), Set.of(), false))
        .containsExactly(new Expectation(Outcome.SUCCEEDED, 1, 0), new Expectation(Outcome.SUCCEEDED, 1, 1));
    // With the infrastructure budget (1) spent by the blip, a later node loss fails the job.
    assertThat(Expectation.acceptable(JOB, List.of(NODE_NOT_READY_BLIP, NODE_DELETED), Set.of(0), Set.of(), false))
        .containsExactly(new Expectation(Outcome.SUCCEEDED, 0, 1), new Expectation(Outcome.FAILED, 0, 1));
    assertThat(Expectation.acceptable(JOB, hits, Set.of(), Set.of(), false)).containsExactly(Expectation.of(JOB, hits, false));
  }

  @Test
  void theOutcomeCheckAcceptsAnyOfTheAcceptableEndings() {
    Snapshot last = new Snapshot(Instant.parse("2026-12-01T10:00:00Z"),
        List.of(new Snapshot.JobFact("ns", "j", "u1", "Succeeded", 2, 0, 1, null, "True/GangPlaced")), List.of(), List.of());
    assertThat(OutcomeCheck.check(last, "ns", JOB, List.of(new Expectation(Outcome.SUCCEEDED, 0, 0),
        new Expectation(Outcome.SUCCEEDED, 0, 1)))).isEmpty();
    assertThat(OutcomeCheck.check(last, "ns", JOB, List.of(new Expectation(Outcome.SUCCEEDED, 0, 0),
        new Expectation(Outcome.SUCCEEDED, 1, 0)))).singleElement()
        .satisfies(v -> assertThat(v.evidence()).contains("also acceptable"));
  }

  @Test
  void aJobThatCannotFitIsExpectedUnschedulable() {
    JobPlan unfit = new JobPlan("u", 1, 16, null, 0, null, ChaosPlanner.LOW, Duration.ZERO, Duration.ZERO, null, 2, 1, false);
    assertThat(Expectation.of(unfit, List.of(), false).outcome()).isEqualTo(Outcome.UNSCHEDULABLE);
  }

  @Test
  void theOutcomeCheckNamesAStuckJobAndMiscountedRestarts() {
    Instant t = Instant.parse("2026-12-01T10:00:00Z");
    Snapshot last = new Snapshot(t, List.of(new Snapshot.JobFact("ns", "j", "u1", "Running", 3, 1, 1, null, "True/GangPlaced"),
        new Snapshot.JobFact("ns", "k", "u2", "Succeeded", 2, 0, 1, null, "True/GangPlaced"),
        new Snapshot.JobFact("ns", "u", "u3", "Pending", 0, 0, 0, null, "False/Queued")), List.of(), List.of());
    assertThat(OutcomeCheck.check(last, "ns", JOB, new Expectation(Outcome.SUCCEEDED, 2, 0)))
        .extracting(Violation::invariant).containsExactly(Invariant.WRONG_OUTCOME, Invariant.RESTARTS_MISCOUNTED);
    JobPlan k = new JobPlan("k", 1, 1, null, 0, null, ChaosPlanner.LOW, Duration.ZERO, Duration.ZERO, null, 2, 1, true);
    assertThat(OutcomeCheck.check(last, "ns", k, new Expectation(Outcome.SUCCEEDED, 0, 1))).isEmpty();
    JobPlan u = new JobPlan("u", 1, 16, null, 0, null, ChaosPlanner.LOW, Duration.ZERO, Duration.ZERO, null, 2, 1, false);
    assertThat(OutcomeCheck.check(last, "ns", u, new Expectation(Outcome.UNSCHEDULABLE, 0, 0))).singleElement()
        .satisfies(v -> assertThat(v.evidence()).contains("Placed=False/Queued"));
    JobPlan gone = new JobPlan("gone", 1, 1, null, 0, null, ChaosPlanner.LOW, Duration.ZERO, Duration.ZERO, null, 2, 1, true);
    assertThat(OutcomeCheck.check(last, "ns", gone, new Expectation(Outcome.DELETED, 0, 0))).isEmpty();
    assertThat(OutcomeCheck.check(last, "ns", k, new Expectation(Outcome.DELETED, 0, 0))).extracting(Violation::invariant)
        .containsExactly(Invariant.WRONG_OUTCOME);
  }
}

package dev.gangway.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnseenHitsTest {
  private static final Instant T = Instant.parse("2026-12-02T03:08:39Z");
  private static final Duration AFTER = Duration.ofSeconds(75);
  private static final UnseenHits.NodeFault FATAL_04 = new UnseenHits.NodeFault("n04", FaultKind.NODE_HEALTH_FATAL, T, T.plusSeconds(40));

  @Test
  void aRestartOnAFaultedNodeWhileTheFaultLastedIsAnUnseenHit() {
    List<UnseenHits.RestartEntry> history = List.of(new UnseenHits.RestartEntry(1, "NodeUnhealthy", "n04", T.plusSeconds(2)));
    assertThat(UnseenHits.of(history, List.of(FATAL_04), Set.of(), AFTER)).extracting(UnseenHits.Unseen::fault).containsExactly(FATAL_04);
  }

  @Test
  void aFaultTheRunSawIsNotCountedTwice() {
    List<UnseenHits.RestartEntry> history = List.of(new UnseenHits.RestartEntry(1, "NodeUnhealthy", "n04", T.plusSeconds(2)));
    assertThat(UnseenHits.of(history, List.of(FATAL_04), Set.of(T), AFTER)).isEmpty();
  }

  @Test
  void oneFaultExplainsOneRestartOfAJobAtMost() {
    List<UnseenHits.RestartEntry> history = List.of(new UnseenHits.RestartEntry(1, "NodeUnhealthy", "n04", T.plusSeconds(2)),
        new UnseenHits.RestartEntry(2, "NodeUnhealthy", "n04", T.plusSeconds(20)));
    assertThat(UnseenHits.of(history, List.of(FATAL_04), Set.of(), AFTER)).extracting(UnseenHits.Unseen::fault).containsExactly(FATAL_04);
  }

  @Test
  void restartsNoFaultExplainsStayUnexplained() {
    List<UnseenHits.RestartEntry> history = List.of(
        new UnseenHits.RestartEntry(1, "NodeUnhealthy", "n05", T.plusSeconds(2)), // another node
        new UnseenHits.RestartEntry(2, "NodeUnhealthy", "n04", T.plusSeconds(200)), // long after it was undone
        new UnseenHits.RestartEntry(3, "RankFailed", "n04", T.plusSeconds(3))); // the job's own crash
    assertThat(UnseenHits.of(history, List.of(FATAL_04), Set.of(), AFTER)).isEmpty();
  }

  @Test
  void theRunsOwnHitsExplainFirstAndTheCauseMustFitTheFault() {
    UnseenHits.NodeFault deleted04 = new UnseenHits.NodeFault("n04", FaultKind.NODE_DELETED, T.plusSeconds(30), T.plusSeconds(60));
    // NodeLost fits the deletion the run saw, not the earlier Fatal signal still in force on that node.
    List<UnseenHits.RestartEntry> lost = List.of(new UnseenHits.RestartEntry(1, "NodeLost", "n04", T.plusSeconds(32)));
    assertThat(UnseenHits.of(lost, List.of(FATAL_04, deleted04), Set.of(deleted04.from()), AFTER)).isEmpty();
    assertThat(UnseenHits.of(lost, List.of(FATAL_04, deleted04), Set.of(), AFTER)).extracting(UnseenHits.Unseen::fault)
        .containsExactly(deleted04);
  }

  @Test
  void aRankFaultOnAnAttemptEndedByTheInfrastructureDidNothing() {
    JobTrack t = new JobTrack(new JobPlan("j", 2, 1, null, 0, null, ChaosPlanner.LOW, Duration.ZERO, Duration.ZERO, null, 3, 2, true));
    t.state = JobTrack.State.RUNNING;
    t.hit(FaultKind.PERMANENT_EXIT, T.plusSeconds(5), 3);
    t.unseen(FaultKind.NODE_DELETED, T, 3);
    t.absorbed(Set.of(3));
    assertThat(t.acceptable()).containsExactly(new Expectation(Expectation.Outcome.SUCCEEDED, 0, 1));
  }

  @Test
  void anUnseenHitTakesItsPlaceAmongTheHitsByTime() {
    JobTrack t = new JobTrack(new JobPlan("j", 2, 1, null, 0, null, ChaosPlanner.LOW, Duration.ZERO, Duration.ZERO, null, 3, 1, true));
    t.state = JobTrack.State.RUNNING;
    t.hit(FaultKind.NODE_NOT_READY_BLIP, T.minusSeconds(10), 1);
    t.overran(0);
    t.hit(FaultKind.RETRYABLE_EXIT, T.plusSeconds(10), 1);
    t.unseen(FaultKind.NODE_DELETED, T, 1);
    assertThat(t.hits).containsExactly(FaultKind.NODE_NOT_READY_BLIP, FaultKind.NODE_DELETED, FaultKind.RETRYABLE_EXIT);
    assertThat(t.overran).containsExactly(0);
    // The infrastructure budget (1) goes to the node loss; the blip, had it counted, would have failed the job.
    assertThat(t.acceptable()).containsExactly(new Expectation(Expectation.Outcome.SUCCEEDED, 1, 1),
        new Expectation(Expectation.Outcome.FAILED, 0, 1));
  }
}

package dev.gangway.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.gangway.api.v1alpha1.Backoff;
import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.FailurePolicy;
import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestartPlannerTest {
  static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
  static final FailureClassifier CLASSIFIER = new FailureClassifier(Duration.ofSeconds(60));
  static final RecoveryPolicy STANDARD = RecoveryPolicy.resolve(null, RecoveryDefaults.STANDARD);

  static Classification crash(String node) {
    return CLASSIFIER.classify(new Failure(0, "p", NodeStatus.ready(node), 1, "Error", Set.of(), NOW, null), List.of(), NOW);
  }

  static Classification nodeLost(String node) {
    return CLASSIFIER.classify(Failure.onNode(0, "p", NodeStatus.deleted(node), NOW), List.of(), NOW);
  }

  static Classification evicted(String node) {
    return CLASSIFIER.classify(new Failure(0, "p", NodeStatus.ready(node), 137, "Evicted", Set.of(), NOW, null), List.of(), NOW);
  }

  static RecoveryState state(int attempt, int restarts, int infra) {
    return new RecoveryState(attempt, restarts, infra, null, List.of(), List.of(), null);
  }

  @ParameterizedTest(name = "restart {0} of a streak waits {1} s")
  @CsvSource({"1,10", "2,20", "3,40", "4,80", "5,160", "6,300", "7,300", "40,300", "100,300"})
  void backoffDoublesFromInitialAndStopsAtTheCap(int n, long seconds) {
    assertThat(STANDARD.backoff().delay(n)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void zeroInitialBackoffRestartsAtOnce() {
    BackoffSchedule none = new BackoffSchedule(Duration.ZERO, Duration.ofSeconds(300), Duration.ofMinutes(10));
    assertThat(none.delay(5)).isZero();
  }

  @Test
  void streakCountsFailuresCloserThanTheResetWindow() {
    BackoffSchedule b = STANDARD.backoff();
    assertThat(b.streak(NOW, List.of())).isEqualTo(1);
    assertThat(b.streak(NOW, List.of(NOW.minusSeconds(60), NOW.minusSeconds(30)))).isEqualTo(3);
    // A gap longer than 10 minutes ends the streak.
    assertThat(b.streak(NOW, List.of(NOW.minusSeconds(3000), NOW.minusSeconds(2900), NOW.minusSeconds(60)))).isEqualTo(2);
    assertThat(b.streak(NOW, List.of(NOW.minusSeconds(601)))).isEqualTo(1);
  }

  @Test
  void successiveQuickFailuresBackOffExponentially() {
    TrainingJobStatus status = new TrainingJobStatus();
    status.setAttempt(1);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      Instant now = NOW.plusSeconds(30L * i);
      Classification c = CLASSIFIER.classify(Failure.onNode(0, "p", NodeStatus.deleted("n" + i), now), List.of(), now);
      RestartPlan.Restart r = (RestartPlan.Restart) RestartPlanner.plan(RecoveryState.of(status), c, STANDARD, now);
      assertThat(r.notBefore()).isEqualTo(now.plus(r.backoff()));
      delays.add(r.backoff().toSeconds());
      RecoveryStatus.recordRestart(status, r);
      status.setAttempt(r.nextAttempt());
    }
    assertThat(delays).containsExactly(10L, 20L, 40L, 80L, 160L, 300L, 300L);
    assertThat(status.getInfrastructureRestarts()).isEqualTo(7);
    assertThat(status.getRestarts()).isNull();
  }

  @Test
  void aCrashRestartsFromTheLastCheckpointOnAnotherNode() {
    CheckpointStatus checkpoint = new CheckpointStatus();
    checkpoint.setStep(1200L);
    checkpoint.setPath("/ckpt/step-1200");
    RecoveryState state = new RecoveryState(2, 1, 0, null, List.of(excluded("gpu-9", NOW.plusSeconds(60))), List.of(), checkpoint);
    RestartPlan.Restart r = (RestartPlan.Restart) RestartPlanner.plan(state, crash("gpu-1"), STANDARD, NOW);
    assertThat(r.nextAttempt()).isEqualTo(3);
    assertThat(r.resumeFrom()).isEqualTo("/ckpt/step-1200");
    assertThat(r.excludedNodes()).as("the crash's node is not excluded; the earlier exclusion stays").containsExactly("gpu-9");
    assertThat(r.infrastructure()).isFalse();
    assertThat(r.record().getAttempt()).isEqualTo(2);
    assertThat(r.record().getCause()).isEqualTo("RankFailed");
    assertThat(r.record().getResumedFrom()).isEqualTo("/ckpt/step-1200");
    assertThat(r.message()).contains("Starting attempt 3 in 10 s from checkpoint /ckpt/step-1200");
  }

  @Test
  void withoutACheckpointTheNextAttemptStartsFromScratch() {
    RestartPlan.Restart r = (RestartPlan.Restart) RestartPlanner.plan(state(1, 0, 0), crash("gpu-1"), STANDARD, NOW);
    assertThat(r.resumeFrom()).isNull();
    assertThat(r.message()).contains("from scratch");
  }

  @Test
  void evictionIsNotTheNodesFaultSoTheNodeIsNotExcluded() {
    RestartPlan.Restart r = (RestartPlan.Restart) RestartPlanner.plan(state(1, 0, 0), evicted("gpu-1"), STANDARD, NOW);
    assertThat(r.excludedNodes()).isEmpty();
    assertThat(r.infrastructure()).isTrue();
  }

  @Test
  void excludeFailedNodesFalseKeepsTheExclusionListAsItIs() {
    FailurePolicy spec = new FailurePolicy();
    spec.setExcludeFailedNodes(false);
    RecoveryPolicy policy = RecoveryPolicy.resolve(spec, RecoveryDefaults.STANDARD);
    RestartPlan.Restart r = (RestartPlan.Restart) RestartPlanner.plan(state(1, 0, 0), nodeLost("gpu-1"), policy, NOW);
    assertThat(r.excludedNodes()).isEmpty();
  }

  @Test
  void aNodeIsExcludedOnceAndANewFailureThereRenewsIt() {
    RecoveryState state = new RecoveryState(2, 0, 1, null, List.of(excluded("gpu-1", NOW.plusSeconds(60))), List.of(), null);
    RestartPlan.Restart r = (RestartPlan.Restart) RestartPlanner.plan(state, nodeLost("gpu-1"), STANDARD, NOW);
    assertThat(r.exclusions()).singleElement().satisfies(e -> {
      assertThat(e.getNode()).isEqualTo("gpu-1");
      assertThat(e.getAttempt()).isEqualTo(2);
      assertThat(e.getUntil()).isEqualTo(NOW.plusSeconds(FailurePolicy.DEFAULT_NODE_EXCLUSION_SECONDS).toString());
    });
  }

  @Test
  void anExclusionCarriesItsCauseAndTimeAndEndsNodeExclusionSecondsLater() {
    FailurePolicy spec = new FailurePolicy();
    spec.setNodeExclusionSeconds(600);
    RestartPlan.Restart r = (RestartPlan.Restart) RestartPlanner.plan(state(3, 0, 0), nodeLost("gpu-1"),
        RecoveryPolicy.resolve(spec, RecoveryDefaults.STANDARD), NOW);
    assertThat(r.exclusions()).extracting(NodeExclusion::getNode, NodeExclusion::getCause, NodeExclusion::getAttempt,
        NodeExclusion::getTime, NodeExclusion::getUntil).containsExactly(tuple("gpu-1", "NodeLost", 3, NOW.toString(),
        NOW.plusSeconds(600).toString()));
  }

  @Test
  void anExclusionThatHasEndedIsDroppedAtTheNextRestart() {
    RecoveryState state = new RecoveryState(2, 0, 1, null, List.of(excluded("gpu-9", NOW), excluded("gpu-8", NOW.plusSeconds(1))),
        List.of(), null);
    RestartPlan.Restart r = (RestartPlan.Restart) RestartPlanner.plan(state, nodeLost("gpu-1"), STANDARD, NOW);
    assertThat(r.excludedNodes()).containsExactly("gpu-1", "gpu-8");
  }

  static NodeExclusion excluded(String node, Instant until) {
    return new NodeExclusion(node, "NodeLost", 1, until.minusSeconds(3600).toString(), until.toString());
  }

  @Test
  void maxRestartsExhaustedFailsWithRestartLimitExceeded() {
    RestartPlan d = RestartPlanner.plan(state(4, 3, 0), crash("gpu-1"), STANDARD, NOW);
    assertThat(d).isInstanceOfSatisfying(RestartPlan.FailJob.class, f -> {
      assertThat(f.reason()).isEqualTo(RestartPlan.FailReason.RestartLimitExceeded);
      assertThat(f.message()).contains("maxRestarts is 3").contains("exit code 1");
    });
  }

  @Test
  void infrastructureRestartsDoNotUseUpMaxRestarts() {
    RestartPlan d = RestartPlanner.plan(state(4, 3, 5), nodeLost("gpu-1"), STANDARD, NOW);
    assertThat(d).isInstanceOf(RestartPlan.Restart.class);
  }

  @Test
  void maxInfrastructureRestartsBoundsInfrastructureRestarts() {
    RestartPlan d = RestartPlanner.plan(state(11, 0, 10), nodeLost("gpu-1"), STANDARD, NOW);
    assertThat(d).isInstanceOfSatisfying(RestartPlan.FailJob.class, f -> {
      assertThat(f.reason()).isEqualTo(RestartPlan.FailReason.RestartLimitExceeded);
      assertThat(f.message()).contains("maxInfrastructureRestarts is 10");
    });
    // ... while a crash may still restart.
    assertThat(RestartPlanner.plan(state(11, 0, 10), crash("gpu-1"), STANDARD, NOW)).isInstanceOf(RestartPlan.Restart.class);
  }

  @Test
  void maxRestartsZeroFailsOnTheFirstCountedFailure() {
    FailurePolicy spec = new FailurePolicy();
    spec.setMaxRestarts(0);
    RestartPlan d = RestartPlanner.plan(state(1, 0, 0), crash("gpu-1"), RecoveryPolicy.resolve(spec, RecoveryDefaults.STANDARD), NOW);
    assertThat(d).isInstanceOf(RestartPlan.FailJob.class);
  }

  @Test
  void aPermanentFailureFailsAtOnceWhateverTheBudget() {
    Classification c = CLASSIFIER.classify(new Failure(0, "p", NodeStatus.ready("n"), 127, "Error", Set.of(), NOW, null), List.of(), NOW);
    RestartPlan d = RestartPlanner.plan(state(1, 0, 0), c, STANDARD, NOW);
    assertThat(d).isInstanceOfSatisfying(RestartPlan.FailJob.class,
        f -> assertThat(f.reason()).isEqualTo(RestartPlan.FailReason.PermanentFailure));
  }

  @Test
  void ignoreCarriesWhenToLookAgain() {
    Classification c = CLASSIFIER.classify(Failure.onNode(0, "p", NodeStatus.notReady("n", NOW.minusSeconds(20)), NOW), List.of(), NOW);
    assertThat(RestartPlanner.plan(state(1, 0, 0), c, STANDARD, NOW)).isInstanceOfSatisfying(RestartPlan.Ignore.class,
        i -> assertThat(i.recheckAt()).isEqualTo(NOW.plusSeconds(40)));
  }

  @Test
  void specFieldsOverrideTheOperatorDefaultsFieldByField() {
    RecoveryDefaults defaults = new RecoveryDefaults(7, 20, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMinutes(10), true,
        Duration.ofHours(2));
    RecoveryPolicy fromDefaults = RecoveryPolicy.resolve(null, defaults);
    assertThat(fromDefaults.maxRestarts()).isEqualTo(7);
    assertThat(fromDefaults.maxInfrastructureRestarts()).isEqualTo(20);
    assertThat(fromDefaults.backoff().delay(10)).isEqualTo(Duration.ofSeconds(5));
    assertThat(fromDefaults.nodeExclusion()).isEqualTo(Duration.ofHours(2));

    FailurePolicy spec = new FailurePolicy();
    Backoff backoff = new Backoff();
    backoff.setInitialSeconds(30);
    backoff.setMaxSeconds(60);
    spec.setBackoff(backoff);
    spec.setNodeExclusionSeconds(900);
    RecoveryPolicy fromSpec = RecoveryPolicy.resolve(spec, defaults);
    assertThat(fromSpec.nodeExclusion()).isEqualTo(Duration.ofSeconds(900));
    assertThat(fromSpec.maxRestarts()).as("left unset in the spec: the operator's default").isEqualTo(7);
    assertThat(fromSpec.maxInfrastructureRestarts()).isEqualTo(20);
    assertThat(fromSpec.backoff().delay(1)).isEqualTo(Duration.ofSeconds(30));
    assertThat(fromSpec.backoff().delay(3)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void recoveryStateIsReadFromTheStatus() {
    TrainingJobStatus status = new TrainingJobStatus();
    status.setAttempt(3);
    status.setRestarts(1);
    status.setInfrastructureRestarts(1);
    RestartRecord r = new RestartRecord();
    r.setTime("2026-11-02T09:00:00Z");
    status.setRestartHistory(List.of(r));
    RecoveryState s = RecoveryState.of(status);
    assertThat(s.attempt()).isEqualTo(3);
    assertThat(s.lastFailureTime()).isEqualTo(Instant.parse("2026-11-02T09:00:00Z"));
    assertThat(RecoveryState.of(null).attempt()).isEqualTo(1);
  }
}

package dev.gangway.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeExclusionsTest {
  static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
  static final FailureClassifier CLASSIFIER = new FailureClassifier(Duration.ofSeconds(60));
  static final RecoveryPolicy STANDARD = RecoveryPolicy.resolve(null, RecoveryDefaults.STANDARD);

  static Failure exit(int code, String reason) {
    return new Failure(0, "p", NodeStatus.ready("gpu-1"), code, reason, Set.of(), NOW, null);
  }

  static Failure running(NodeStatus node) {
    return Failure.onNode(0, "p", node, NOW);
  }

  /** Per cause: does the job exclude the node, and does the cross-job tracker count it against the node? */
  static Stream<Arguments> causes() {
    return Stream.of(
        arguments("node deleted (NodeLost)", running(NodeStatus.deleted("gpu-1")), Cause.NodeLost, true, true),
        arguments("node NotReady past the grace period (NodeLost)", running(NodeStatus.notReady("gpu-1", NOW.minusSeconds(61))),
            Cause.NodeLost, true, true),
        arguments("fatal health signal XID 79 (NodeUnhealthy)", running(NodeStatus.unhealthy("gpu-1", "XID 79", NOW)),
            Cause.NodeUnhealthy, true, true),
        arguments("a crash on a node with an ECC error (NodeUnhealthy)",
            new Failure(0, "p", NodeStatus.unhealthy("gpu-1", "ECC double-bit error", NOW), 1, "Error", Set.of(), NOW, null),
            Cause.NodeUnhealthy, true, true),
        arguments("killed while the node went NotReady (NodeNotReady)",
            new Failure(0, "p", NodeStatus.notReady("gpu-1", NOW.minusSeconds(10)), 137, "Error", Set.of(), NOW, null),
            Cause.NodeNotReady, true, true),
        arguments("exit 1: a crash is not the node's", exit(1, "Error"), Cause.RankFailed, false, true),
        arguments("exit 134 (NCCL watchdog abort) is a crash", exit(134, "Error"), Cause.RankFailed, false, true),
        arguments("exit 137 on a Ready node is a crash", exit(137, "Error"), Cause.RankFailed, false, true),
        arguments("OOMKilled: the memory limit is the program's", exit(137, "OOMKilled"), Cause.OOMKilled, false, false),
        arguments("evicted: the scheduler's, not the node's", exit(137, "Evicted"), Cause.PodDisrupted, false, false),
        arguments("pod deleted while running", Failure.podDeleted(0, NodeStatus.ready("gpu-1"), NOW), Cause.PodDisrupted, false, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("causes")
  void onlyCausesThatAreTheNodesExcludeIt(String name, Failure failure, Cause cause, boolean excluded, boolean counted) {
    Classification c = CLASSIFIER.classify(failure, List.of(), NOW);
    assertThat(c.cause()).isEqualTo(cause);
    RestartPlan.Restart r = (RestartPlan.Restart) RestartPlanner.plan(RecoveryState.of(null), c, STANDARD, NOW);
    assertThat(r.excludedNodes()).isEqualTo(excluded ? List.of("gpu-1") : List.of());
    BadNodeTracker tracker = new BadNodeTracker(1, Duration.ofHours(1));
    assertThat(tracker.record(c, "job-a")).as("counted by the cross-job tracker").isEqualTo(counted);
  }

  @Test
  void everyCauseThatExcludesIsAlsoCountedAcrossJobs() {
    for (Cause c : Cause.values()) {
      if (c.excludesNode()) {
        assertThat(c.nodeAttributable()).as(c.name()).isTrue();
      }
    }
  }

  static NodeExclusion exclusion(String node, Instant until) {
    return new NodeExclusion(node, "NodeLost", 1, until.minusSeconds(3600).toString(), until.toString());
  }

  static TrainingJobStatus status(List<String> names, NodeExclusion... exclusions) {
    TrainingJobStatus s = new TrainingJobStatus();
    s.setExcludedNodes(names == null ? null : new ArrayList<>(names));
    s.setNodeExclusions(exclusions.length == 0 ? null : new ArrayList<>(List.of(exclusions)));
    return s;
  }

  @Test
  void aNodeIsExcludedUntilItsTimeAndNotAfter() {
    TrainingJobStatus s = status(List.of("a", "b"), exclusion("a", NOW.plusSeconds(60)), exclusion("b", NOW.plusSeconds(120)));
    assertThat(NodeExclusions.activeIn(s, NOW)).containsExactly("a", "b");
    assertThat(NodeExclusions.activeIn(s, NOW.plusSeconds(60))).containsExactly("b");
    assertThat(NodeExclusions.activeIn(s, NOW.plusSeconds(120))).isEmpty();
    assertThat(NodeExclusions.firstEnd(s)).isEqualTo(NOW.plusSeconds(60));
    assertThat(NodeExclusions.activeIn(null, NOW)).isEmpty();
    assertThat(NodeExclusions.firstEnd((TrainingJobStatus) null)).isNull();
  }

  @Test
  void endedExclusionsLeaveTheStatusAndTheNamesFollow() {
    TrainingJobStatus s = status(List.of("a", "b"), exclusion("a", NOW.plusSeconds(60)), exclusion("b", NOW.plusSeconds(120)));
    assertThat(NodeExclusions.dropEnded(s, NOW)).as("nothing ended yet").isFalse();
    assertThat(NodeExclusions.dropEnded(s, NOW.plusSeconds(90))).isTrue();
    assertThat(s.getNodeExclusions()).extracting(NodeExclusion::getNode).containsExactly("b");
    assertThat(s.getExcludedNodes()).containsExactly("b");
    assertThat(NodeExclusions.dropEnded(s, NOW.plusSeconds(200))).isTrue();
    assertThat(s.getNodeExclusions()).isNull();
    assertThat(s.getExcludedNodes()).isNull();
  }

  @Test
  void aNameWithoutAnEntryFromBeforeExclusionsEndedIsOver() {
    TrainingJobStatus legacy = status(List.of("old-1", "old-2"));
    assertThat(NodeExclusions.activeIn(legacy, NOW)).isEmpty();
    assertThat(NodeExclusions.dropEnded(legacy, NOW)).isTrue();
    assertThat(legacy.getExcludedNodes()).isNull();
  }

  @Test
  void anUnreadableEndIsOverRatherThanForEver() {
    NodeExclusion broken = new NodeExclusion("a", "NodeLost", 1, "yesterday", "never");
    TrainingJobStatus s = status(List.of("a"), broken);
    assertThat(NodeExclusions.activeIn(s, NOW)).isEmpty();
    assertThat(NodeExclusions.firstEnd(s)).isNull();
  }

  @Test
  void aRenewedExclusionReplacesTheOldOneAndTheListStaysSortedByNode() {
    List<NodeExclusion> next = NodeExclusions.with(List.of(exclusion("c", NOW.plusSeconds(5)), exclusion("a", NOW.plusSeconds(5))),
        exclusion("c", NOW.plusSeconds(500)), NOW);
    assertThat(next).extracting(NodeExclusion::getNode, NodeExclusion::getUntil).containsExactly(
        org.assertj.core.api.Assertions.tuple("a", NOW.plusSeconds(5).toString()),
        org.assertj.core.api.Assertions.tuple("c", NOW.plusSeconds(500).toString()));
  }
}

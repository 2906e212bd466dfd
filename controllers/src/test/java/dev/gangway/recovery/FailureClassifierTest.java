package dev.gangway.recovery;

import static dev.gangway.api.v1alpha1.FailureAction.FailJob;
import static dev.gangway.api.v1alpha1.FailureAction.Ignore;
import static dev.gangway.api.v1alpha1.FailureAction.RestartFromCheckpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gangway.api.v1alpha1.ExitCodeMatcher;
import dev.gangway.api.v1alpha1.FailureAction;
import dev.gangway.api.v1alpha1.FailurePolicyRule;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FailureClassifierTest {
  static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");
  static final Duration GRACE = Duration.ofSeconds(60);
  static final FailureClassifier CLASSIFIER = new FailureClassifier(GRACE);

  // --- failures -------------------------------------------------------------------------------
  static Failure exit(int code, String reason) {
    return new Failure(1, "job-r1-a1", NodeStatus.ready("gpu-1"), code, reason, Set.of(), NOW.minusSeconds(2), null);
  }

  static Failure exit(int code) {
    return exit(code, "Error");
  }

  static Failure on(Failure f, NodeStatus node) {
    return new Failure(f.rank(), f.pod(), node, f.exitCode(), f.reason(), f.podConditions(), f.time(), f.logTail());
  }

  static Failure running(NodeStatus node) {
    return Failure.onNode(1, "job-r1-a1", node, NOW);
  }

  static NodeStatus notReadyFor(int seconds) {
    return NodeStatus.notReady("gpu-1", NOW.minusSeconds(seconds));
  }

  // --- rules ----------------------------------------------------------------------------------
  static FailurePolicyRule rule(FailureAction action) {
    FailurePolicyRule r = new FailurePolicyRule();
    r.setAction(action);
    return r;
  }

  static FailurePolicyRule codes(FailureAction action, ExitCodeMatcher.Operator op, Integer... values) {
    FailurePolicyRule r = rule(action);
    ExitCodeMatcher m = new ExitCodeMatcher();
    m.setOperator(op);
    m.setValues(List.of(values));
    r.setOnExitCodes(m);
    return r;
  }

  static FailurePolicyRule reasons(FailureAction action, String... reasons) {
    FailurePolicyRule r = rule(action);
    r.setOnReasons(List.of(reasons));
    return r;
  }

  static FailurePolicyRule conditions(FailureAction action, String... types) {
    FailurePolicyRule r = rule(action);
    r.setOnPodConditions(List.of(types));
    return r;
  }

  static FailurePolicyRule nodeFailure(FailureAction action, boolean value) {
    FailurePolicyRule r = rule(action);
    r.setOnNodeFailure(value);
    return r;
  }

  static final ExitCodeMatcher.Operator IN = ExitCodeMatcher.Operator.In;
  static final ExitCodeMatcher.Operator NOT_IN = ExitCodeMatcher.Operator.NotIn;

  /** Defaults: no rules. Columns: intent, failure, expected action, expected cause. */
  static Stream<Arguments> defaults() {
    return Stream.of(
        arguments("exit 1 is a crash: restart, counted", exit(1), RestartFromCheckpoint, Cause.RankFailed),
        arguments("exit 139 (segfault) is a crash", exit(139), RestartFromCheckpoint, Cause.RankFailed),
        arguments("exit 137 on a Ready node is a crash, not infrastructure", exit(137), RestartFromCheckpoint, Cause.RankFailed),
        arguments("OOMKilled restarts, counted", exit(137, "OOMKilled"), RestartFromCheckpoint, Cause.OOMKilled),
        arguments("exit 2 (argument error) fails fast", exit(2), FailJob, Cause.PermanentError),
        arguments("exit 126 (not executable) fails fast", exit(126), FailJob, Cause.PermanentError),
        arguments("exit 127 (command not found) fails fast", exit(127), FailJob, Cause.PermanentError),
        arguments("ContainerCannotRun fails fast", exit(128, "ContainerCannotRun"), FailJob, Cause.PermanentError),
        arguments("StartError fails fast", exit(128, "StartError"), FailJob, Cause.PermanentError),
        arguments("no exit code, no reason, Ready node: an unexplained failure restarts", new Failure(0, "p", NodeStatus.ready("n"),
            null, null, Set.of(), NOW, null), RestartFromCheckpoint, Cause.RankFailed),
        arguments("DisruptionTarget (eviction, preemption) is infrastructure",
            exit(143).withPodConditions(Set.of("DisruptionTarget")), RestartFromCheckpoint, Cause.PodDisrupted),
        arguments("pod reason Evicted is infrastructure", exit(137, "Evicted"), RestartFromCheckpoint, Cause.PodDisrupted),
        arguments("pod reason Preempting is infrastructure", exit(143, "Preempting"), RestartFromCheckpoint, Cause.PodDisrupted),
        arguments("a running rank's pod vanished from a Ready node: infrastructure, not the code's",
            Failure.podDeleted(0, NodeStatus.ready("gpu-1"), NOW), RestartFromCheckpoint, Cause.PodDisrupted),
        arguments("a running rank's pod vanished from a node NotReady within grace: no need to wait",
            Failure.podDeleted(0, notReadyFor(10), NOW), RestartFromCheckpoint, Cause.PodDisrupted),
        arguments("a running rank's pod vanished with its node", Failure.podDeleted(0, NodeStatus.deleted("gpu-1"), NOW),
            RestartFromCheckpoint, Cause.NodeLost),
        arguments("node deleted, rank still 'running'", running(NodeStatus.deleted("gpu-1")), RestartFromCheckpoint, Cause.NodeLost),
        arguments("node deleted beats an exit code", on(exit(1), NodeStatus.deleted("gpu-1")), RestartFromCheckpoint, Cause.NodeLost),
        arguments("node NotReady past the grace period", running(notReadyFor(61)), RestartFromCheckpoint, Cause.NodeLost),
        arguments("node NotReady exactly at the grace period", running(notReadyFor(60)), RestartFromCheckpoint, Cause.NodeLost),
        arguments("node NotReady since an unknown time", running(NodeStatus.notReady("gpu-1", null)), RestartFromCheckpoint, Cause.NodeLost),
        arguments("node NotReady within grace, rank not terminated: wait", running(notReadyFor(10)), Ignore, Cause.NodeNotReadyWithinGrace),
        arguments("exit 137 while the node is NotReady: dying node", on(exit(137), notReadyFor(5)), RestartFromCheckpoint, Cause.NodeNotReady),
        arguments("exit 143 while the node is NotReady: dying node", on(exit(143), notReadyFor(5)), RestartFromCheckpoint, Cause.NodeNotReady),
        arguments("exit 1 while the node is NotReady within grace: still the code's", on(exit(1), notReadyFor(5)),
            RestartFromCheckpoint, Cause.RankFailed),
        arguments("exit 127 on a deleted node: the node is to blame first", on(exit(127), NodeStatus.deleted("gpu-1")),
            RestartFromCheckpoint, Cause.NodeLost),
        arguments("fatal health signal (XID 79)", running(NodeStatus.unhealthy("gpu-1", "XID 79")), RestartFromCheckpoint, Cause.NodeUnhealthy),
        arguments("fatal health signal beats exit 1", on(exit(1), NodeStatus.unhealthy("gpu-1", "ECC double-bit")),
            RestartFromCheckpoint, Cause.NodeUnhealthy));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("defaults")
  void defaultTable(String intent, Failure failure, FailureAction action, Cause cause) {
    Classification c = CLASSIFIER.classify(failure, List.of(), NOW);
    assertThat(c.action()).as(intent).isEqualTo(action);
    assertThat(c.cause()).as(intent).isEqualTo(cause);
    assertThat(c.source()).isEqualTo(Classification.DEFAULT_SOURCE);
  }

  /** Rules. Columns: intent, rules, failure, expected action, expected source. */
  static Stream<Arguments> rules() {
    return Stream.of(
        arguments("In matches a listed code", List.of(codes(FailJob, IN, 1, 3)), exit(3), FailJob, "spec.failurePolicy.rules[0]"),
        arguments("In does not match another code", List.of(codes(FailJob, IN, 1, 3)), exit(4), RestartFromCheckpoint, "default"),
        arguments("NotIn matches an unlisted code", List.of(codes(FailJob, NOT_IN, 42)), exit(1), FailJob, "spec.failurePolicy.rules[0]"),
        arguments("NotIn does not match a listed code", List.of(codes(FailJob, NOT_IN, 42)), exit(42), RestartFromCheckpoint, "default"),
        arguments("exit-code rules never match a rank without an exit code", List.of(codes(FailJob, NOT_IN, 0)),
            running(NodeStatus.deleted("gpu-1")), RestartFromCheckpoint, "default"),
        arguments("a rule can restart a default-permanent code", List.of(codes(RestartFromCheckpoint, IN, 2)), exit(2),
            RestartFromCheckpoint, "spec.failurePolicy.rules[0]"),
        arguments("a rule can ignore a code", List.of(codes(Ignore, IN, 75)), exit(75), Ignore, "spec.failurePolicy.rules[0]"),
        arguments("the first matching rule wins", List.of(codes(Ignore, IN, 1), codes(FailJob, IN, 1)), exit(1), Ignore,
            "spec.failurePolicy.rules[0]"),
        arguments("later rules are tried when earlier ones do not match", List.of(codes(Ignore, IN, 9), codes(FailJob, IN, 1)), exit(1),
            FailJob, "spec.failurePolicy.rules[1]"),
        arguments("reason OOMKilled", List.of(reasons(FailJob, "OOMKilled")), exit(137, "OOMKilled"), FailJob, "spec.failurePolicy.rules[0]"),
        arguments("reason Error does not match OOMKilled", List.of(reasons(FailJob, "OOMKilled")), exit(1), RestartFromCheckpoint, "default"),
        arguments("pod condition DisruptionTarget", List.of(conditions(FailJob, "DisruptionTarget")),
            exit(143).withPodConditions(Set.of("DisruptionTarget")), FailJob, "spec.failurePolicy.rules[0]"),
        arguments("pod condition absent", List.of(conditions(FailJob, "DisruptionTarget")), exit(143), RestartFromCheckpoint, "default"),
        arguments("onNodeFailure matches a lost node", List.of(nodeFailure(FailJob, true)), running(NodeStatus.deleted("gpu-1")), FailJob,
            "spec.failurePolicy.rules[0]"),
        arguments("onNodeFailure matches a dying node's 137", List.of(nodeFailure(FailJob, true)), on(exit(137), notReadyFor(5)), FailJob,
            "spec.failurePolicy.rules[0]"),
        arguments("onNodeFailure does not match a crash", List.of(nodeFailure(FailJob, true)), exit(1), RestartFromCheckpoint, "default"),
        arguments("onNodeFailure false matches a crash on a healthy node", List.of(nodeFailure(FailJob, false)), exit(1), FailJob,
            "spec.failurePolicy.rules[0]"),
        arguments("all matchers of a rule must match", List.of(and(codes(FailJob, IN, 137), "OOMKilled")), exit(137), RestartFromCheckpoint,
            "default"),
        arguments("all matchers of a rule match", List.of(and(codes(FailJob, IN, 137), "OOMKilled")), exit(137, "OOMKilled"), FailJob,
            "spec.failurePolicy.rules[0]"),
        arguments("a rule without matchers matches nothing", List.of(rule(FailJob)), exit(1), RestartFromCheckpoint, "default"),
        arguments("rules do not turn waiting for a node into a failure", List.of(nodeFailure(FailJob, false)), running(notReadyFor(10)),
            Ignore, "default"));
  }

  static FailurePolicyRule and(FailurePolicyRule rule, String reason) {
    rule.setOnReasons(List.of(reason));
    return rule;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void rulesInOrder(String intent, List<FailurePolicyRule> rules, Failure failure, FailureAction action, String source) {
    Classification c = CLASSIFIER.classify(failure, rules, NOW);
    assertThat(c.action()).as(intent).isEqualTo(action);
    assertThat(c.source()).as(intent).isEqualTo(source);
  }

  @Test
  void aRuleDecidesTheActionButTheFactsStillDecideTheBudget() {
    Classification c = CLASSIFIER.classify(running(NodeStatus.deleted("gpu-1")), List.of(nodeFailure(RestartFromCheckpoint, true)), NOW);
    assertThat(c.infrastructure()).isTrue();
    Classification crash = CLASSIFIER.classify(exit(1), List.of(codes(RestartFromCheckpoint, IN, 1)), NOW);
    assertThat(crash.infrastructure()).isFalse();
  }

  @Test
  void aPermanentFailureNamesTheExitCodeAndEndsWithTheLastLogLines() {
    String log = logLines(30) + "python: can't open file '/app/train.py': [Errno 2] No such file or directory";
    Classification c = CLASSIFIER.classify(exit(2).withLogTail(log), List.of(), NOW);
    assertThat(c.message()).contains("rank 1 (pod job-r1-a1 on node gpu-1) failed with exit code 2 (Error)")
        .contains("failing the job")
        .endsWith("Last log lines:\nline 21\nline 22\nline 23\nline 24\nline 25\nline 26\nline 27\nline 28\nline 29\n"
            + "python: can't open file '/app/train.py': [Errno 2] No such file or directory")
        .doesNotContain("line 20\n");
  }

  @Test
  void aVeryLongLogLineIsCutFromTheFront() {
    Classification c = CLASSIFIER.classify(exit(1).withLogTail("x".repeat(5000) + "END"), List.of(), NOW);
    assertThat(c.message()).endsWith("xxxEND").hasSizeLessThan(1700);
  }

  @Test
  void infrastructureMessagesNameTheNodeAndSkipTheLog() {
    Classification c = CLASSIFIER.classify(running(NodeStatus.unhealthy("gpu-1", "XID 79")).withLogTail("noise"), List.of(), NOW);
    assertThat(c.message()).contains("gpu-1").contains("XID 79").contains("infrastructure").doesNotContain("noise");
  }

  @Test
  void ruleMessagesNameTheRule() {
    Classification c = CLASSIFIER.classify(exit(3), List.of(codes(FailJob, IN, 3)), NOW);
    assertThat(c.message()).endsWith("failing the job by spec.failurePolicy.rules[0]");
  }

  @Test
  void waitingForANotReadyNodeSaysWhenToLookAgain() {
    Classification c = CLASSIFIER.classify(running(notReadyFor(10)), List.of(), NOW);
    assertThat(c.recheckAt()).isEqualTo(NOW.plusSeconds(50));
  }

  @Test
  void fromPodReadsTheMainContainerTheConditionsAndFinishedAt() {
    Pod pod = new PodBuilder().withNewMetadata().withName("job-r2-a1").endMetadata()
        .withNewSpec().addNewContainer().withName("sidecar").endContainer().addNewContainer().withName("trainer").endContainer().endSpec()
        .withNewStatus().withPhase("Failed")
        .addNewCondition().withType("DisruptionTarget").withStatus("True").endCondition()
        .addNewCondition().withType("Ready").withStatus("False").endCondition()
        .addNewContainerStatus().withName("trainer").withNewState().withNewTerminated().withExitCode(1).withReason("Error")
        .withFinishedAt("2026-11-02T09:59:00Z").endTerminated().endState().endContainerStatus()
        .addNewContainerStatus().withName("sidecar").withNewState().withNewTerminated().withExitCode(143).withReason("Error")
        .withFinishedAt("2026-11-02T09:59:30Z").endTerminated().endState().endContainerStatus()
        .endStatus().build();
    // The spec's first container is the main one, even when its status comes second.
    pod.getSpec().getContainers().add(0, pod.getSpec().getContainers().remove(1));
    Failure f = Failure.fromPod(2, pod, NodeStatus.ready("gpu-3"), NOW);
    assertThat(f.exitCode()).isEqualTo(1);
    assertThat(f.podConditions()).containsExactly("DisruptionTarget");
    assertThat(f.time()).isEqualTo(Instant.parse("2026-11-02T09:59:00Z"));
    assertThat(CLASSIFIER.classify(f, List.of(), NOW).cause()).isEqualTo(Cause.PodDisrupted);
  }

  @Test
  void fromPodPrefersKubernetesDisruptionReasonOverTheContainers() {
    Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata()
        .withNewSpec().addNewContainer().withName("trainer").endContainer().endSpec()
        .withNewStatus().withPhase("Failed").withReason("Evicted")
        .addNewContainerStatus().withName("trainer").withNewState().withNewTerminated().withExitCode(137).withReason("Error")
        .endTerminated().endState().endContainerStatus().endStatus().build();
    Failure f = Failure.fromPod(0, pod, NodeStatus.ready("gpu-3"), NOW);
    assertThat(f.reason()).isEqualTo("Evicted");
    assertThat(f.time()).isEqualTo(NOW);
  }

  private static String logLines(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append("line ").append(i).append('\n');
    }
    return s.toString();
  }
}

package dev.gangway.recovery;

import dev.gangway.api.v1alpha1.ExitCodeMatcher;
import dev.gangway.api.v1alpha1.FailureAction;
import dev.gangway.api.v1alpha1.FailurePolicyRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Classifies a rank's failure: first the facts decide the {@link Cause}, then
 * {@code spec.failurePolicy.rules} are matched in order (every matcher a rule sets must match; the
 * first matching rule decides the action), then, if none matched, the cause's default action.
 * Pure and table-driven; time is passed in.
 */
public final class FailureClassifier {
  /** Exit codes of a program that cannot run: misuse/argument error (2), not executable (126), not found (127). */
  public static final Set<Integer> PERMANENT_EXIT_CODES = Set.of(2, 126, 127);
  /** Termination reasons of a container that never ran the program. */
  public static final Set<String> PERMANENT_REASONS = Set.of("ContainerCannotRun", "StartError");
  /** SIGKILL and SIGTERM: what a rank on a dying node exits with. */
  public static final Set<Integer> KILLED_EXIT_CODES = Set.of(137, 143);
  /** Pod status reasons set when Kubernetes itself ends a pod: eviction, preemption, node shutdown. */
  public static final Set<String> DISRUPTION_REASONS = Set.of("Evicted", "Preempting", "NodeShutdown", "Shutdown", "NodeLost");
  public static final String DISRUPTION_CONDITION = "DisruptionTarget";
  /**
   * The reason Gangway gives a running rank whose pod vanished: an eviction or preemption (whose
   * DisruptionTarget condition went with the pod), the pod garbage collector, or a person. Never the
   * job's own code, which leaves a Failed pod behind.
   */
  public static final String POD_DELETED = "PodDeleted";
  public static final String OOM_KILLED = "OOMKilled";

  private static final int LOG_LINES = 10;
  private static final int LOG_CHARS = 1500;

  private final Duration nodeNotReadyGrace;

  /** @param nodeNotReadyGrace how long a node may be NotReady before ranks still "running" on it count as failed */
  public FailureClassifier(Duration nodeNotReadyGrace) {
    this.nodeNotReadyGrace = nodeNotReadyGrace;
  }

  public Duration nodeNotReadyGrace() {
    return nodeNotReadyGrace;
  }

  /** @param rules spec.failurePolicy.rules; null or empty uses the defaults alone */
  public Classification classify(Failure failure, List<FailurePolicyRule> rules, Instant now) {
    Cause cause = causeOf(failure, now);
    if (cause == Cause.NodeNotReadyWithinGrace) {
      Instant recheckAt = failure.node().since().plus(nodeNotReadyGrace);
      return new Classification(FailureAction.Ignore, cause, failure, Classification.DEFAULT_SOURCE,
          failure.who() + " is on a NotReady node; it counts as failed if the node is still NotReady at " + recheckAt, recheckAt);
    }
    if (rules != null) {
      for (int i = 0; i < rules.size(); i++) {
        FailurePolicyRule rule = rules.get(i);
        if (rule.getAction() != null && matches(rule, failure, cause)) {
          String source = "spec.failurePolicy.rules[" + i + "]";
          return new Classification(rule.getAction(), cause, failure, source, message(failure, cause, rule.getAction(), source), null);
        }
      }
    }
    return new Classification(cause.defaultAction(), cause, failure, Classification.DEFAULT_SOURCE,
        message(failure, cause, cause.defaultAction(), Classification.DEFAULT_SOURCE), null);
  }

  /** The facts, in order of precedence: the node, then Kubernetes' own disruption, then the exit. */
  Cause causeOf(Failure f, Instant now) {
    NodeStatus node = f.node();
    switch (node.state()) {
      case Deleted -> {
        return Cause.NodeLost;
      }
      case Unhealthy -> {
        return Cause.NodeUnhealthy;
      }
      case NotReady -> {
        if (node.since() == null || !now.isBefore(node.since().plus(nodeNotReadyGrace))) {
          return Cause.NodeLost;
        }
      }
      default -> {
      }
    }
    if (f.podConditions().contains(DISRUPTION_CONDITION) || has(DISRUPTION_REASONS, f.reason()) || POD_DELETED.equals(f.reason())) {
      return Cause.PodDisrupted;
    }
    boolean notReady = node.state() == NodeStatus.State.NotReady;
    if (notReady && f.exitCode() != null && KILLED_EXIT_CODES.contains(f.exitCode())) {
      return Cause.NodeNotReady;
    }
    if (notReady && f.exitCode() == null && f.reason() == null) {
      return Cause.NodeNotReadyWithinGrace;
    }
    if ((f.exitCode() != null && PERMANENT_EXIT_CODES.contains(f.exitCode())) || has(PERMANENT_REASONS, f.reason())) {
      return Cause.PermanentError;
    }
    if (OOM_KILLED.equals(f.reason())) {
      return Cause.OOMKilled;
    }
    return Cause.RankFailed;
  }

  /** Set.of(...).contains(null) throws; a missing reason simply is not in the set. */
  static boolean has(Set<String> set, String value) {
    return value != null && set.contains(value);
  }

  private static boolean matches(FailurePolicyRule rule, Failure f, Cause cause) {
    boolean any = false;
    if (rule.getOnExitCodes() != null) {
      any = true;
      if (!matches(rule.getOnExitCodes(), f.exitCode())) return false;
    }
    if (rule.getOnReasons() != null) {
      any = true;
      if (f.reason() == null || !rule.getOnReasons().contains(f.reason())) return false;
    }
    if (rule.getOnPodConditions() != null) {
      any = true;
      if (rule.getOnPodConditions().stream().noneMatch(f.podConditions()::contains)) return false;
    }
    if (rule.getOnNodeFailure() != null) {
      any = true;
      if (rule.getOnNodeFailure() != cause.nodeFailure()) return false;
    }
    // The CRD rejects a rule without matchers; should one slip through, it matches nothing.
    return any;
  }

  private static boolean matches(ExitCodeMatcher matcher, Integer exitCode) {
    if (exitCode == null || matcher.getValues() == null) {
      return false;
    }
    boolean in = matcher.getValues().contains(exitCode);
    return matcher.getOperator() == ExitCodeMatcher.Operator.NotIn ? !in : in;
  }

  private static String message(Failure f, Cause cause, FailureAction action, String source) {
    StringBuilder s = new StringBuilder(f.who());
    switch (cause) {
      case NodeLost -> s.append(f.node().state() == NodeStatus.State.Deleted ? ": its node was deleted" : ": its node has been NotReady since "
          + (f.node().since() == null ? "an unknown time" : f.node().since()));
      case NodeUnhealthy -> s.append(": its node is unhealthy (").append(f.node().healthReason()).append(')');
      case PodDisrupted -> s.append(POD_DELETED.equals(f.reason())
          ? ": its pod was deleted while the gang ran (an eviction, a preemption, the pod garbage collector or a person)"
          : ": the pod was disrupted by Kubernetes (" + (f.reason() != null ? f.reason() : DISRUPTION_CONDITION) + ")");
      case NodeNotReady -> s.append(" was killed (exit code ").append(f.exitCode()).append(") while its node was NotReady");
      default -> {
        s.append(" failed");
        if (f.exitCode() != null) s.append(" with exit code ").append(f.exitCode());
        if (f.reason() != null) s.append(" (").append(f.reason()).append(')');
        if (cause == Cause.PermanentError) s.append(": the program cannot run, so restarting will not help");
      }
    }
    s.append(switch (action) {
      case RestartFromCheckpoint -> cause.infrastructure() ? "; restarting (infrastructure)" : "; restarting";
      case FailJob -> "; failing the job";
      case Ignore -> "; ignored";
    });
    if (!Classification.DEFAULT_SOURCE.equals(source)) {
      s.append(" by ").append(source);
    }
    String tail = lastLines(f.logTail());
    if (!cause.infrastructure() && tail != null) {
      s.append(". Last log lines:\n").append(tail);
    }
    return s.toString();
  }

  /** The end of the log, short enough for a condition message and an Event. */
  static String lastLines(String log) {
    if (log == null || log.isBlank()) {
      return null;
    }
    List<String> lines = log.strip().lines().toList();
    String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size()));
    return tail.length() <= LOG_CHARS ? tail : "…" + tail.substring(tail.length() - LOG_CHARS);
  }
}

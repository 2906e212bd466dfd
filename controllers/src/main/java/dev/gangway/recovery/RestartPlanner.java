package dev.gangway.recovery;

import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.RestartRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Decides what a classified failure does to the job: the limits, the backoff, the nodes to exclude
 * ({@link NodeExclusions}: only for a cause that is the node's, and for a while) and the checkpoint
 * to resume from. Pure; time is passed in.
 */
public final class RestartPlanner {

  private RestartPlanner() {
  }

  public static RestartPlan plan(RecoveryState state, Classification c, RecoveryPolicy policy, Instant now) {
    switch (c.action()) {
      case Ignore -> {
        return new RestartPlan.Ignore(c.message(), c.recheckAt());
      }
      case FailJob -> {
        return new RestartPlan.FailJob(RestartPlan.FailReason.PermanentFailure, c.message(), c);
      }
      default -> {
      }
    }
    if (c.infrastructure() && state.infrastructureRestarts() >= policy.maxInfrastructureRestarts()) {
      return new RestartPlan.FailJob(RestartPlan.FailReason.RestartLimitExceeded, c.message() + ". The job has had "
          + state.infrastructureRestarts() + " infrastructure restarts, spec.failurePolicy.maxInfrastructureRestarts is "
          + policy.maxInfrastructureRestarts() + "; check the nodes in status.restartHistory or raise the limit", c);
    }
    if (!c.infrastructure() && state.restarts() >= policy.maxRestarts()) {
      return new RestartPlan.FailJob(RestartPlan.FailReason.RestartLimitExceeded, c.message() + ". The job has been "
          + "restarted " + state.restarts() + " times for failures of its own, spec.failurePolicy.maxRestarts is "
          + policy.maxRestarts() + "; fix the cause shown above or raise the limit", c);
    }
    Instant failedAt = c.failure().time() != null ? c.failure().time() : now;
    int n = policy.backoff().streak(failedAt, state.failureTimes());
    Duration backoff = policy.backoff().delay(n);
    String resumeFrom = state.resumePath();
    List<NodeExclusion> exclusions = NodeExclusions.active(state.exclusions(), now);
    String node = c.failure().node().name();
    if (policy.excludeFailedNodes() && c.cause().excludesNode() && node != null) {
      exclusions = NodeExclusions.with(exclusions, new NodeExclusion(node, c.cause().name(), state.attempt(), failedAt.toString(),
          now.plus(policy.nodeExclusion()).toString()), now);
    }
    int next = state.attempt() + 1;
    String message = c.message() + ". Starting attempt " + next + " in " + backoff.toSeconds() + " s"
        + (resumeFrom == null ? " from scratch (no checkpoint reported complete)" : " from checkpoint " + resumeFrom);
    return new RestartPlan.Restart(now.plus(backoff), backoff, next, exclusions, resumeFrom, c.infrastructure(),
        record(c, state.attempt(), failedAt, now, resumeFrom), message, c);
  }

  private static RestartRecord record(Classification c, int attempt, Instant failedAt, Instant detectedAt, String resumeFrom) {
    Failure f = c.failure();
    RestartRecord r = new RestartRecord();
    r.setTime(failedAt.toString());
    r.setDetectedTime(detectedAt.toString());
    r.setCause(c.cause().name());
    r.setReason(f.reason());
    r.setRank(f.rank());
    r.setNode(f.node().name());
    r.setExitCode(f.exitCode());
    r.setAttempt(attempt);
    r.setResumedFrom(resumeFrom);
    return r;
  }
}

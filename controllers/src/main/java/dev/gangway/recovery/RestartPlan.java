package dev.gangway.recovery;

import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.RestartRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What to do about a classified failure: fail the job, ignore the failure, or restart the gang. */
public sealed interface RestartPlan {

  /** Why a job fails; used as the Failed condition's reason. */
  enum FailReason { RestartLimitExceeded, PermanentFailure }

  /** Fail the job now; {@code message} goes into the Failed condition and the Event. */
  record FailJob(FailReason reason, String message, Classification classification) implements RestartPlan {
  }

  /**
   * Leave the job as it is.
   *
   * @param recheckAt when to look again (a NotReady node's grace period ends), null for never
   */
  record Ignore(String message, Instant recheckAt) implements RestartPlan {
  }

  /**
   * Tear the gang down and start attempt {@code nextAttempt} once {@code notBefore} has passed.
   *
   * @param exclusions the job's node exclusions from now on: those not over yet, and the failed node's when its cause
   *     is the node's ({@link Cause#excludesNode}) and the policy excludes failed nodes
   * @param resumeFrom the last checkpoint reported complete, null to start from scratch
   * @param infrastructure whether it counts against maxInfrastructureRestarts (else maxRestarts)
   * @param record the entry to append to status.restartHistory
   */
  record Restart(Instant notBefore, Duration backoff, int nextAttempt, List<NodeExclusion> exclusions, String resumeFrom,
                 boolean infrastructure, RestartRecord record, String message, Classification classification)
      implements RestartPlan {

    /** Names of the excluded nodes, sorted. */
    public List<String> excludedNodes() {
      return exclusions.stream().map(NodeExclusion::getNode).toList();
    }
  }
}

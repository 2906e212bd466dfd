package dev.gangway.recovery;

import dev.gangway.api.v1alpha1.Backoff;
import dev.gangway.api.v1alpha1.FailurePolicy;
import dev.gangway.api.v1alpha1.FailurePolicyRule;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A job's failure policy with every gap filled from the operator's {@link RecoveryDefaults}.
 *
 * @param nodeExclusion how long the job keeps off a node after a failure there that is the node's
 */
public record RecoveryPolicy(int maxRestarts, int maxInfrastructureRestarts, BackoffSchedule backoff, boolean excludeFailedNodes,
                             Duration nodeExclusion, List<FailurePolicyRule> rules) {

  /** @param spec spec.failurePolicy, null when the job sets none */
  public static RecoveryPolicy resolve(FailurePolicy spec, RecoveryDefaults defaults) {
    if (spec == null) {
      spec = new FailurePolicy();
    }
    Backoff backoff = spec.getBackoff();
    Duration initial = backoff == null || backoff.getInitialSeconds() == null
        ? defaults.backoffInitial() : Duration.ofSeconds(backoff.getInitialSeconds());
    Duration max = backoff == null || backoff.getMaxSeconds() == null
        ? defaults.backoffMax() : Duration.ofSeconds(backoff.getMaxSeconds());
    return new RecoveryPolicy(
        Objects.requireNonNullElse(spec.getMaxRestarts(), defaults.maxRestarts()),
        Objects.requireNonNullElse(spec.getMaxInfrastructureRestarts(), defaults.maxInfrastructureRestarts()),
        new BackoffSchedule(initial, max.compareTo(initial) < 0 ? initial : max, defaults.backoffReset()),
        Objects.requireNonNullElse(spec.getExcludeFailedNodes(), defaults.excludeFailedNodes()),
        spec.getNodeExclusionSeconds() == null ? defaults.nodeExclusion() : Duration.ofSeconds(spec.getNodeExclusionSeconds()),
        spec.getRules() == null ? List.of() : List.copyOf(spec.getRules()));
  }
}

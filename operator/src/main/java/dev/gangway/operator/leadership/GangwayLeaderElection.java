package dev.gangway.operator.leadership;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One Lease decides which operator replica reconciles; the others stand by. Active in the prod
 * profile (quarkus.operator-sdk.activate-leader-election-for-profiles). A replica that loses the
 * lease exits so that Kubernetes restarts it as a clean follower.
 */
@Singleton
public class GangwayLeaderElection extends LeaderElectionConfiguration {

  public GangwayLeaderElection(
      @ConfigProperty(name = "gangway.leader-election.lease-name", defaultValue = "gangway-operator-lease") String leaseName,
      @ConfigProperty(name = "gangway.leader-election.namespace", defaultValue = "default") String namespace,
      @ConfigProperty(name = "gangway.leader-election.lease-duration", defaultValue = "15s") Duration leaseDuration,
      @ConfigProperty(name = "gangway.leader-election.renew-deadline", defaultValue = "10s") Duration renewDeadline,
      @ConfigProperty(name = "gangway.leader-election.retry-period", defaultValue = "2s") Duration retryPeriod) {
    super(leaseName, namespace, leaseDuration, renewDeadline, retryPeriod, identity(), null, true);
  }

  /** Unique per process, so two replicas on one host (as in the e2e tests) never share an identity. */
  private static String identity() {
    String host = System.getenv().getOrDefault("HOSTNAME", "gangway");
    return host + "-" + ProcessHandle.current().pid();
  }
}

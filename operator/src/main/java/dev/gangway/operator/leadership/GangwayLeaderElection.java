package dev.gangway.operator.leadership;

import dev.gangway.leadership.LeaderIdentity;
import dev.gangway.leadership.Leadership;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.time.Clock;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * One Lease decides which operator replica reconciles; the others stand by. Active in the prod
 * profile (quarkus.operator-sdk.activate-leader-election-for-profiles). A replica that loses the
 * lease exits so that Kubernetes restarts it as a clean follower; one that stops gracefully hands the
 * lease back ({@link LeaseHandback}) so a standby takes over at once. The holder identity carries the
 * address of the leader's HTTP server ({@link LeaderIdentity}), so followers forward check-ins to it.
 */
@Singleton
public class GangwayLeaderElection extends LeaderElectionConfiguration {
  private static final Logger LOG = Logger.getLogger(GangwayLeaderElection.class);

  public GangwayLeaderElection(
      @ConfigProperty(name = "gangway.leader-election.lease-name", defaultValue = "gangway-operator-lease") String leaseName,
      @ConfigProperty(name = "gangway.leader-election.namespace", defaultValue = "default") String namespace,
      @ConfigProperty(name = "gangway.leader-election.lease-duration", defaultValue = "15s") Duration leaseDuration,
      @ConfigProperty(name = "gangway.leader-election.renew-deadline", defaultValue = "10s") Duration renewDeadline,
      @ConfigProperty(name = "gangway.leader-election.retry-period", defaultValue = "2s") Duration retryPeriod,
      @ConfigProperty(name = "gangway.leader-election.advertise-address") String advertiseAddress,
      Leadership leadership,
      KubernetesClient client) {
    // Not the SDK's exit-on-stop-leading: on SIGTERM it would call System.exit from the shutdown hook and hang
    // until killed. A replica that loses the lease while running exits through Quarkus instead.
    super(leaseName, namespace, checked(leaseDuration, renewDeadline, retryPeriod), renewDeadline, retryPeriod, identity(advertiseAddress),
        new LeaderCallbacks(() -> {
          LOG.info("Leading: this replica reconciles and records check-ins");
          leadership.startLeading();
        }, () -> {
          leadership.stopLeading();
          stoppedLeading(() -> LeaseHandback.handBack(client, namespace, leaseName, identity(advertiseAddress), Clock.systemUTC()));
        }, leader -> LOG.infof("Leader is %s", leader)), false);
  }

  private static volatile boolean shuttingDown;

  /** First among the shutdown observers: the SDK's own stops the elector, which calls back {@link #stoppedLeading}. */
  void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
    shuttingDown = true;
  }

  private static void stoppedLeading(Runnable handBack) {
    if (shuttingDown) {
      handBack.run();
      return;
    }
    LOG.warn("Lost the leader lease while running: exiting so that Kubernetes restarts this replica as a follower");
    Quarkus.asyncExit(1);
  }

  /**
   * The leader must give up (renew deadline) before a standby may take the Lease (lease duration), and get
   * more than one try to renew before it gives up; otherwise two replicas could act at once, or the leader
   * would restart on one slow request. Returns the lease duration so it can check inside the super call.
   */
  static Duration checked(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    if (retryPeriod.isNegative() || retryPeriod.isZero()) {
      throw new IllegalArgumentException("gangway.leader-election.retry-period (GANGWAY_LEADER_ELECTION_RETRY_PERIOD) must be positive, was " + retryPeriod);
    }
    if (renewDeadline.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException("gangway.leader-election.renew-deadline (GANGWAY_LEADER_ELECTION_RENEW_DEADLINE, " + renewDeadline
          + ") must be shorter than gangway.leader-election.lease-duration (GANGWAY_LEADER_ELECTION_LEASE_DURATION, " + leaseDuration
          + "): the leader must give up before a standby may take the Lease");
    }
    if (retryPeriod.compareTo(renewDeadline) >= 0) {
      throw new IllegalArgumentException("gangway.leader-election.retry-period (GANGWAY_LEADER_ELECTION_RETRY_PERIOD, " + retryPeriod
          + ") must be shorter than gangway.leader-election.renew-deadline (GANGWAY_LEADER_ELECTION_RENEW_DEADLINE, " + renewDeadline + ")");
    }
    return leaseDuration;
  }

  /** Unique per process, so two replicas on one host (as in the e2e tests) never share an identity. */
  private static String identity(String advertiseAddress) {
    LeaderIdentity.Address address;
    try {
      address = LeaderIdentity.Address.parse(advertiseAddress);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("gangway.leader-election.advertise-address (GANGWAY_LEADER_ELECTION_ADVERTISE_ADDRESS): "
          + e.getMessage() + ". Set it to host:port where the other replicas reach this one's HTTP port, e.g. $(POD_IP):8080", e);
    }
    return LeaderIdentity.of(replicaName(), address);
  }

  /** This process among the replicas, e.g. in the user agent it writes to the API server with. */
  public static String replicaName() {
    return LeaderIdentity.replicaName(System.getenv().getOrDefault("HOSTNAME", "gangway"), ProcessHandle.current().pid());
  }
}

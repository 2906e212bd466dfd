package dev.gangway.operator.leadership;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import org.jboss.logging.Logger;

/**
 * On a graceful stop the leader gives its Lease back, as client-go's ReleaseOnCancel does: holder cleared,
 * duration 1 s, so a standby leads at its next retry (2 s) instead of after the lease duration (15 s), e.g.
 * on every {@code helm upgrade}. The Java Operator SDK builds its elector without release-on-cancel, so
 * this runs from the stop-leading callback, which the SDK calls after its reconcile workers have stopped.
 */
final class LeaseHandback {
  private static final Logger LOG = Logger.getLogger(LeaseHandback.class);

  private LeaseHandback() {
  }

  /**
   * Clears the Lease if this identity still holds it. The write carries the resourceVersion just read, so
   * a Lease a standby took meanwhile is never cleared. Returns whether it was handed back; never throws.
   */
  static boolean handBack(KubernetesClient client, String namespace, String leaseName, String identity, Clock clock) {
    LeaseLock lock = new LeaseLock(namespace, leaseName, identity);
    try {
      LeaderElectionRecord held = lock.get(client);
      if (held == null || !identity.equals(held.getHolderIdentity())) {
        return false;
      }
      ZonedDateTime now = ZonedDateTime.now(clock);
      lock.update(client, new LeaderElectionRecord("", Duration.ofSeconds(1), now, now, held.getLeaderTransitions()));
      LOG.infof("Stopping: handed the Lease %s/%s back, so a standby leads without waiting for it to expire", namespace, leaseName);
      return true;
    } catch (KubernetesClientException e) {
      // The Lease then expires by itself: a slower handover, nothing worse.
      LOG.infof("Stopping: could not hand the Lease %s/%s back (%s); a standby takes it when it expires", namespace, leaseName,
          e.getMessage());
      return false;
    }
  }
}

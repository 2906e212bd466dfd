package dev.gangway.decide;

import dev.gangway.observe.ClusterView;
import dev.gangway.pod.Timestamps;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.placement.QueuedGang;
import dev.gangway.recovery.NodeExclusions;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The placement queue as the API server stores it: every TrainingJob that is Pending or Restarting,
 * not suspended, whose gang is not placed yet and was not found unschedulable. Read from the
 * informer's cache of TrainingJobs, so a newly elected leader has the whole queue before it places
 * anything, and every replica computes the same order.
 */
public final class WaitingGangs {
  private static final Logger LOG = LoggerFactory.getLogger(WaitingGangs.class);

  private WaitingGangs() {
  }

  /**
   * The waiting gangs among {@code jobs}; {@code avoided} are nodes no gang may use now (health, repeated failures), and
   * each job also keeps off the nodes it excludes at {@code now}; {@code defaults} fill what a job's spec.topology leaves unset.
   */
  public static List<QueuedGang> of(Stream<TrainingJob> jobs, ClusterView cluster, Set<String> avoided, Instant now,
      PlacementDefaults defaults) {
    return jobs.filter(WaitingGangs::waits).map(job -> entry(job, cluster, avoided, now, defaults)).filter(Objects::nonNull).toList();
  }

  static boolean waits(TrainingJob job) {
    if (job.getSpec() == null || job.getSpec().suspended() || job.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    TrainingJobStatus status = job.getStatus();
    if (status == null || status.getPhase() == null) {
      return true;
    }
    if (status.getPhase() != JobPhase.Pending && status.getPhase() != JobPhase.Restarting) {
      return false;
    }
    if (JobConditions.find(status.getConditions(), JobConditions.PLACED).isEmpty()) {
      return true;
    }
    // A gang its namespace's quotas cannot admit waits for them, not for capacity: at the head it would hold nodes for nothing.
    return JobConditions.notPlacedReason(status.getConditions())
        .filter(r -> !GangPlacementStep.UNSCHEDULABLE.equals(r) && !GangPlacementStep.waitsForQuota(r)).isPresent();
  }

  /**
   * The job's queue entry; null (and left out) when its spec cannot even be read, which its own reconcile reports, or
   * when its PriorityClass or ClusterTopology does not exist: it waits for that, not for capacity, so it holds no place
   * in the queue.
   */
  static QueuedGang entry(TrainingJob job, ClusterView cluster, Set<String> avoided, Instant now, PlacementDefaults defaults) {
    String key = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
    try {
      if (cluster.missingPriorityClass(job).isPresent() || cluster.missingTopology(job).isPresent()) {
        return null;
      }
      Set<String> avoid = new HashSet<>(avoided);
      avoid.addAll(NodeExclusions.activeIn(job.getStatus(), now));
      Instant created = createdAt(job);
      Instant since = job.getStatus() == null ? created : JobConditions.find(job.getStatus().getConditions(), JobConditions.PLACED)
          .filter(c -> "False".equals(c.getStatus()) && c.getLastTransitionTime() != null)
          .map(c -> Timestamps.parseOr(c.getLastTransitionTime(), created)).orElse(created);
      return new QueuedGang(key, cluster.priorityOf(job), created, since, cluster.topologyFor(job),
          GangRequests.of(key, job.getSpec(), cluster.limitsIn(job.getMetadata().getNamespace()).limitRanges(), avoid),
          defaults.waitForTighter(job.getSpec(), JobStatusMachine.attemptToRun(job, now)));
    } catch (RuntimeException e) {
      LOG.debug("TrainingJob {} is left out of the placement queue: {}", key, e.toString());
      return null;
    }
  }

  /** creationTimestamp; a job the API server has not stamped (never seen in practice) sorts last. */
  static Instant createdAt(TrainingJob job) {
    String created = job.getMetadata().getCreationTimestamp();
    return Timestamps.parseOr(created, Instant.MAX);
  }
}

package dev.gangway.job;

import dev.gangway.act.OrphanDeletions;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.cache.PodsByOwner;
import dev.gangway.decide.OrphanedRanks;
import dev.gangway.decide.OrphanedRanks.Owner;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of the leader's sweep for rank pods whose job is gone: observe (the pods' owners, the job cache), decide
 * ({@link OrphanedRanks}), act ({@link OrphanDeletions}). Gangway adds no finalizer to a job and leaves its pods to the
 * garbage collector; this only steps in when that has not run for {@link OrphanedRanks#GRACE}.
 */
final class OrphanedRankSweep implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanedRankSweep.class);

  private final OrphanedRanks orphans = new OrphanedRanks();
  private final OrphanDeletions deletions = new OrphanDeletions();
  private final PodsByOwner pods;
  private final io.javaoperatorsdk.operator.processing.event.source.Cache<TrainingJob> jobs;
  private final Predicate<String> watchedNamespace;
  private final KubernetesClient client;
  private final BooleanSupplier leader;
  private final Clock clock;
  private final IntConsumer deleted;

  /**
   * @param watchedNamespace whether the controller watches a namespace: the pods of another operator's jobs are not its own
   * @param deleted told how many pods each round deleted
   */
  OrphanedRankSweep(PodsByOwner pods, io.javaoperatorsdk.operator.processing.event.source.Cache<TrainingJob> jobs,
                    Predicate<String> watchedNamespace, KubernetesClient client, BooleanSupplier leader, Clock clock, IntConsumer deleted) {
    this.pods = pods;
    this.jobs = jobs;
    this.watchedNamespace = watchedNamespace;
    this.client = client;
    this.leader = leader;
    this.clock = clock;
    this.deleted = deleted;
  }

  @Override
  public void run() {
    if (!leader.getAsBoolean()) {
      orphans.forgetAll();
      return;
    }
    Map<Owner, List<Pod>> byOwner = new HashMap<>();
    for (String uid : pods.ownerUids()) {
      List<Pod> owned = pods.of(uid);
      if (owned.isEmpty() || !watchedNamespace.test(owned.get(0).getMetadata().getNamespace())) {
        continue;
      }
      owned.get(0).getMetadata().getOwnerReferences().stream().filter(o -> uid.equals(o.getUid())).map(OwnerReference::getName).findFirst()
          .ifPresent(job -> byOwner.put(new Owner(owned.get(0).getMetadata().getNamespace(), job, uid), owned));
    }
    Set<String> cached = jobs.list().map(j -> j.getMetadata().getUid()).collect(Collectors.toSet());
    for (Owner owner : orphans.due(byOwner.keySet(), cached::contains, clock.instant())) {
      OrphanDeletions.Result result = deletions.delete(client, owner, byOwner.get(owner));
      if (result.jobExists()) {
        orphans.stillExists(owner, clock.instant());
      } else if (result.deleted() > 0) {
        LOG.info("Deleted {} rank pods of the deleted TrainingJob {}/{} (uid {}): the garbage collector had not in {} s",
            result.deleted(), owner.namespace(), owner.job(), owner.uid(), OrphanedRanks.GRACE.toSeconds());
        deleted.accept(result.deleted());
      }
    }
  }
}

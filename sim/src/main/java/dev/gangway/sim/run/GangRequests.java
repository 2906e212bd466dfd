package dev.gangway.sim.run;

import dev.gangway.placement.GangRequest;
import dev.gangway.placement.QueuedGang;
import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.fleet.Fleet;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;

/** A simulated job as the placement classes see it, and the order the queue keeps. */
final class GangRequests {

  /** Gangway's queue order ({@link QueuedGang#ORDER}): priority, then submission, then key. */
  static final Comparator<SimJob> QUEUE_ORDER = Comparator.comparingInt((SimJob j) -> -j.spec.priority())
      .thenComparingLong(j -> j.spec.submit()).thenComparing(j -> j.spec.key());

  private GangRequests() {
  }

  static GangRequest of(SimJob job) {
    GangRequest.Builder b = GangRequest.builder(job.spec.key()).replicas(job.spec.replicas()).gpusPerRank(job.spec.gpusPerRank());
    if (job.spec.preferredLevel() != null) b.preferred(job.spec.preferredLevel());
    Set<String> excluded = job.status.getExcludedNodes() == null ? Set.of() : new HashSet<>(job.status.getExcludedNodes());
    b.exclude(excluded);
    if (job.spec.large()) {
      b.toleration(new TolerationBuilder().withKey(Fleet.SPARE_TAINT).withOperator("Exists").withEffect("NoSchedule").build());
    }
    return b.build();
  }

  /** Nodes the job's own status tells it to avoid. */
  static Set<String> excluded(SimJob job) {
    return job.status.getExcludedNodes() == null ? Set.of() : new HashSet<>(job.status.getExcludedNodes());
  }

  /** Cheap necessary condition for placing the job now. */
  static boolean mightFit(SimJob job, Fleet fleet) {
    return fleet.mightHold(job.spec.replicas(), job.spec.gpusPerRank(), job.spec.large(), excluded(job), java.util.Map.of());
  }

  static QueuedGang queued(SimJob job, Topology topology) {
    return new QueuedGang(job.spec.key(), job.spec.priority(), Durations.instant(job.spec.submit()),
        Durations.instant(job.phaseSince), topology, of(job));
  }
}

package dev.gangway.sim.run;

import dev.gangway.placement.GangRequest;
import dev.gangway.placement.QueuedGang;
import dev.gangway.recovery.NodeExclusions;
import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.fleet.Fleet;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Instant;
import java.util.Comparator;
import java.util.Set;

/** A simulated job as the placement classes see it, and the order the queue keeps. */
final class GangRequests {

  /** Gangway's queue order ({@link QueuedGang#ORDER}): priority, then submission, then key. */
  static final Comparator<SimJob> QUEUE_ORDER = Comparator.comparingInt((SimJob j) -> -j.spec.priority())
      .thenComparingLong(j -> j.spec.submit()).thenComparing(j -> j.spec.key());

  private GangRequests() {
  }

  static GangRequest of(SimJob job, Instant now) {
    GangRequest.Builder b = GangRequest.builder(job.spec.key()).replicas(job.spec.replicas()).gpusPerRank(job.spec.gpusPerRank());
    if (job.spec.preferredLevel() != null) b.preferred(job.spec.preferredLevel());
    b.exclude(excluded(job, now));
    if (job.spec.large()) {
      b.toleration(new TolerationBuilder().withKey(Fleet.SPARE_TAINT).withOperator("Exists").withEffect("NoSchedule").build());
    }
    return b.build();
  }

  /** Nodes the job's own status excludes at {@code now}. */
  static Set<String> excluded(SimJob job, Instant now) {
    return NodeExclusions.activeIn(job.status, now);
  }

  /** Cheap necessary condition for placing the job now. */
  static boolean mightFit(SimJob job, Fleet fleet, Instant now) {
    return fleet.mightHold(job.spec.replicas(), job.spec.gpusPerRank(), job.spec.large(), excluded(job, now), java.util.Map.of());
  }

  static QueuedGang queued(SimJob job, Topology topology, Instant now) {
    return new QueuedGang(job.spec.key(), job.spec.priority(), Durations.instant(job.spec.submit()),
        Durations.instant(job.phaseSince), topology, of(job, now));
  }
}

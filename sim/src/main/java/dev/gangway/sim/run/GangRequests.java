package dev.gangway.sim.run;

import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.QueuedGang;
import dev.gangway.recovery.NodeExclusions;
import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.fleet.Fleet;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A simulated job as the placement classes see it, and the order the queue keeps. */
final class GangRequests {

  /** Gangway's queue order ({@link QueuedGang#ORDER}): priority, then submission, then key. */
  static final Comparator<SimJob> QUEUE_ORDER = Comparator.comparingInt((SimJob j) -> -j.spec.priority())
      .thenComparingLong(j -> j.spec.submit()).thenComparing(j -> j.spec.key());

  private GangRequests() {
  }

  static GangRequest of(SimJob job, Instant now) {
    return of(job, excluded(job, now));
  }

  /** Nodes the job's own status excludes at {@code now}. */
  static Set<String> excluded(SimJob job, Instant now) {
    return current(job, now).excluded;
  }

  /** Cheap necessary condition for placing the job now. */
  static boolean mightFit(SimJob job, Fleet fleet, Instant now) {
    return fleet.mightHold(job.spec.replicas(), job.spec.gpusPerRank(), job.spec.large(), excluded(job, now), java.util.Map.of());
  }

  /** The job as Gangway's queue sees it at {@code now}: built again only when its phase or its exclusions have changed. */
  static QueuedGang queued(SimJob job, Topology topology, Instant now) {
    AsQueued q = current(job, now);
    if (q.gang == null || q.gang.topology() != topology) {
      q.gang = new QueuedGang(job.spec.key(), job.spec.priority(), Durations.instant(job.spec.submit()),
          Durations.instant(job.phaseSince), topology, of(job, q.excluded));
    }
    return q.gang;
  }

  private static GangRequest of(SimJob job, Set<String> excluded) {
    GangRequest.Builder b = GangRequest.builder(job.spec.key()).replicas(job.spec.replicas()).gpusPerRank(job.spec.gpusPerRank());
    if (job.spec.preferredLevel() != null) b.preferred(job.spec.preferredLevel());
    b.exclude(excluded);
    if (job.spec.large()) {
      b.toleration(new TolerationBuilder().withKey(Fleet.SPARE_TAINT).withOperator("Exists").withEffect("NoSchedule").build());
    }
    return b.build();
  }

  /**
   * What the queue reads of a job, kept on the job while it holds: its status's exclusions change only with a phase change
   * (a restart records them) and when the first of them ends; its waiting-since, with the phase.
   */
  static final class AsQueued {
    final int token;
    final long phaseSince;
    /** The first instant at which an exclusion active now ends (no later change without a phase change). */
    final long until;
    final Set<String> excluded;
    QueuedGang gang;

    AsQueued(int token, long phaseSince, long until, Set<String> excluded) {
      this.token = token;
      this.phaseSince = phaseSince;
      this.until = until;
      this.excluded = excluded;
    }
  }

  private static AsQueued current(SimJob job, Instant now) {
    long t = Durations.millis(now);
    AsQueued q = job.asQueued;
    if (q != null && q.token == job.token && q.phaseSince == job.phaseSince && t < q.until) return q;
    List<NodeExclusion> active = NodeExclusions.active(job.status.getNodeExclusions(), now);
    Instant firstEnd = NodeExclusions.firstEnd(active);
    Set<String> excluded = new TreeSet<>();
    active.forEach(e -> excluded.add(e.getNode()));
    job.asQueued = new AsQueued(job.token, job.phaseSince, firstEnd == null ? Long.MAX_VALUE : Durations.millis(firstEnd), excluded);
    return job.asQueued;
  }
}

package dev.gangway.decide;

import dev.gangway.pod.Timestamps;
import dev.gangway.observe.ClusterView;
import dev.gangway.observe.GangObservation;
import dev.gangway.observe.JobObservation;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.checkpoint.CheckpointLedger;
import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.health.NodeHealthRegistry;
import dev.gangway.recovery.BadNodeTracker;
import dev.gangway.recovery.NodeExclusions;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one decision of a reconcile: from an observation to the next status and the actions that make
 * the pods follow it. No Kubernetes I/O; the only state it touches is in memory (the placement queue
 * and in-flight holds, the cross-job bad-node tracker). The status machine runs once.
 */
public final class JobDecider {
  /** How often a gang waiting for capacity tries again. */
  static final Duration RETRY_PLACEMENT = Duration.ofSeconds(5);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final NodeHealthRegistry health;
  private final BadNodeTracker badNodes;
  private final GangRecoveryStep recovery;
  private final GangPlacementStep placement;

  /**
   * @param health nodes reported unhealthy, kept off by every placement
   * @param badNodes nodes where several jobs failed, kept off by every placement
   */
  public JobDecider(NodeHealthRegistry health, BadNodeTracker badNodes, GangRecoveryStep recovery, GangPlacementStep placement) {
    this.health = health;
    this.badNodes = badNodes;
    this.recovery = recovery;
    this.placement = placement;
  }

  public JobDecision decide(JobObservation o) {
    Instant now = o.now();
    TrainingJob job = withAcceptedCheckpoints(o.job(), o.reports());
    GangObservation gang = o.gang();

    RecoveryDecision recovered = o.mayProgress() ? recovery.decide(job, gang, o.nodeStatus(), o.logTail(), now) : RecoveryDecision.NONE;
    String flaggedNode = recovered.flaggedNode();
    List<JobEvent> notes = new ArrayList<>();
    if (recovered.note() != null) {
      notes.add(recovered.note());
    }
    if (flaggedNode != null) {
      notes.add(JobEvent.warning("BadNode", "Node " + flaggedNode + " has failed repeatedly across jobs; Gangway keeps new gangs off it"));
    }
    PlacementDecision placed = PlacementDecision.NONE;
    Duration placementTime = null;
    boolean backoffRunning = restartPending(job.getStatus()) && gang.attempt() == JobStatusMachine.attemptOf(job);
    if (recovered.kind() == RecoveryDecision.Kind.NONE && o.mayProgress() && !backoffRunning) {
      long started = System.nanoTime();
      placed = place(job, o);
      if (placed.kind() != PlacementDecision.Kind.NONE) {
        placementTime = Duration.ofNanos(System.nanoTime() - started);
      }
    }

    StatusTransition transition = JobStatusMachine.next(job, o.problems(), gang, placed, recovered, now);
    TrainingJobStatus status = transition.status();
    if (JobConditions.isTrue(status.getConditions(), ReconcileErrors.CONDITION)) {
      status.setConditions(JobConditions.with(status.getConditions(), ReconcileErrors.CONDITION, false, "Resolved",
          "The last reconcile succeeded", now, job.getMetadata().getGeneration()));
    }
    TrainingJobStatus stored = o.job().getStatus() == null ? new TrainingJobStatus() : o.job().getStatus();
    // An exclusion that has ended leaves the status; an active job is woken when the next one ends.
    NodeExclusions.dropEnded(status, now);
    List<JobEvent> events = new ArrayList<>(notes);
    events.addAll(transition.events());
    Duration paced = ProgressPacing.holdFor(stored, status, events, job.getSpec().getReplicas(), o.statusWritten(), now);
    // The actions follow the decided status; only its write waits (nothing acts on progress it adds).
    GangActions actions = GangActions.decide(status, gang, o.pods(), nodeExists(o), placed.create(), placed.keepsRanksUncreated());
    if (paced != null) {
      status = stored;
    } else {
      status.setGoodput(JobGoodput.next(stored, status, now));
    }
    if (!isActive(status.getPhase()) || restartPending(status)) {
      placement.forget(o.jobKey());
    }
    Instant exclusionEnds = isActive(status.getPhase()) ? NodeExclusions.firstEnd(status) : null;
    Duration wake = nextWake(status, placed, earlier(placed.earlierRecheck(recovered.recheckAt()), exclusionEnds), now);
    return new JobDecision(status, actions, placed, events, flaggedNode, recovered,
        paced == null ? wake : earlier(wake, paced.plusMillis(50)), placementTime);
  }

  private static Duration earlier(Duration a, Duration b) {
    return a == null ? b : b == null || a.compareTo(b) <= 0 ? a : b;
  }

  /** Without the cluster (a finished, suspended or invalid job) every node counts as existing: nothing is forced. */
  private static java.util.function.Predicate<String> nodeExists(JobObservation o) {
    return o.mayProgress() ? o.cluster()::hasNode : node -> true;
  }

  /** The job as the decision sees it: with the newest acceptable checkpoint report recorded in its status. */
  private static TrainingJob withAcceptedCheckpoints(TrainingJob job, List<CheckpointReport> reports) {
    TrainingJobStatus status = job.getStatus();
    if (status == null || reports.isEmpty()) {
      return job;
    }
    TrainingJobStatus accepted = status;
    for (CheckpointReport report : reports) {
      var verdict = CheckpointLedger.judge(report, job.getMetadata().getUid(), JobStatusMachine.attemptOf(job), accepted.getLastCheckpoint());
      if (verdict instanceof CheckpointLedger.Accepted a) {
        accepted = SERIALIZATION.clone(accepted);
        accepted.setLastCheckpoint(a.lastCheckpoint());
      }
    }
    if (accepted == status) {
      return job;
    }
    TrainingJob copy = new TrainingJob();
    copy.setMetadata(job.getMetadata());
    copy.setSpec(job.getSpec());
    copy.setStatus(accepted);
    return copy;
  }

  /** Nodes every gang keeps off at {@code now}: reported unhealthy, or flagged after failures of several jobs. */
  public Set<String> avoidedByAll(Instant now) {
    Set<String> avoid = new HashSet<>(health.fatalNodes(now));
    avoid.addAll(badNodes.flagged());
    return Set.copyOf(avoid);
  }

  private PlacementDecision place(TrainingJob job, JobObservation o) {
    ClusterView cluster = o.cluster();
    Long decidedOn = job.getStatus() == null ? null : job.getStatus().getObservedGeneration();
    if (decidedOn != null && !decidedOn.equals(job.getMetadata().getGeneration())) {
      placement.specChanged(o.jobKey(), o.now());
    }
    var missingClass = o.gang().attemptPods().isEmpty() ? cluster.missingPriorityClass(job) : java.util.Optional.<String>empty();
    if (missingClass.isPresent()) {
      // Every create would be refused by the Priority admission plugin: wait for the class, holding nothing, instead.
      placement.forget(o.jobKey());
      return PlacementDecision.waiting(GangPlacementStep.PRIORITY_CLASS_NOT_FOUND, PlacementMessages.priorityClassMissing(missingClass.get()));
    }
    var missingTopology = o.gang().attemptPods().isEmpty() ? cluster.missingTopology(job) : java.util.Optional.<String>empty();
    if (missingTopology.isPresent()) {
      // Its levels mean nothing without the topology (placing it on hosts alone would break spec.topology.required).
      placement.forget(o.jobKey());
      return PlacementDecision.waiting(GangPlacementStep.TOPOLOGY_NOT_FOUND, PlacementMessages.topologyMissing(missingTopology.get()));
    }
    Set<String> avoidedByAll = avoidedByAll(o.now());
    Set<String> avoid = new HashSet<>(avoidedByAll);
    avoid.addAll(NodeExclusions.activeIn(job.getStatus(), o.now()));
    // Nodes where this job's ranks did not bind lately: a constraint the engine cannot see is not decided into again.
    avoid.addAll(AvoidedNodes.activeIn(job.getStatus(), o.now()));
    GangPlacementStep.Inputs inputs = new GangPlacementStep.Inputs(cluster.topologyFor(job),
        cluster.priorityOf(job), avoid, () -> WaitingGangs.of(o.storedJobs().get().stream(), cluster, avoidedByAll, o.now(),
            placement.defaults()),
        NodeExclusions.active(job.getStatus() == null ? null : job.getStatus().getNodeExclusions(), o.now()), cluster::podSlots,
        cluster.limitsIn(job.getMetadata().getNamespace()));
    String placedTime = job.getStatus() == null || job.getStatus().getPlacement() == null ? null : job.getStatus().getPlacement().getPlacedTime();
    Instant created = Timestamps.parseOr(job.getMetadata().getCreationTimestamp(), o.now());
    return placement.decide(o.jobKey(), new GangPlacementStep.TrainingJobSpecView(job.getSpec(), created), o.gang(),
        o.gang().attemptPods(), inputs, placedTime, o.now());
  }

  /** The earliest of the decision's own wake and the goodput refresh of a job holding GPUs. */
  private static Duration nextWake(TrainingJobStatus status, PlacementDecision placed, Instant recheckAt, Instant now) {
    Duration wake = decisionWake(status, placed, recheckAt, now);
    Duration refresh = JobGoodput.refreshIn(status, now);
    if (refresh == null) {
      return wake;
    }
    refresh = refresh.plusMillis(50);
    return wake == null || refresh.compareTo(wake) < 0 ? refresh : wake;
  }

  private static Duration decisionWake(TrainingJobStatus status, PlacementDecision placed, Instant recheckAt, Instant now) {
    if (restartPending(status)) {
      Duration untilRestart = Duration.between(now, Timestamps.parseOr(status.getNextRestartTime(), now));
      return untilRestart.isNegative() ? Duration.ofMillis(500) : untilRestart.plusMillis(50);
    }
    if (placed.kind() == PlacementDecision.Kind.WAITING) {
      // A gang holding out for a tighter placement is looked at again when its wait ends, if that comes first.
      Duration until = placed.recheckAt() == null ? null : Duration.between(now, placed.recheckAt()).plusMillis(50);
      return until == null || until.isNegative() || until.compareTo(RETRY_PLACEMENT) >= 0 ? RETRY_PLACEMENT : until;
    }
    if (recheckAt != null) {
      return Duration.between(now, recheckAt).plusMillis(50);
    }
    return null;
  }

  private static Instant earlier(Instant a, Instant b) {
    return a == null || (b != null && b.isBefore(a)) ? b : a;
  }

  public static boolean restartPending(TrainingJobStatus status) {
    return status != null && status.getPhase() == JobPhase.Restarting && status.getNextRestartTime() != null;
  }

  static boolean isActive(JobPhase phase) {
    return phase == JobPhase.Pending || phase == JobPhase.Running || phase == JobPhase.Restarting;
  }
}

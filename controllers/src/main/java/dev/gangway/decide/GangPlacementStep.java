package dev.gangway.decide;

import dev.gangway.pod.Timestamps;
import dev.gangway.observe.GangObservation;
import dev.gangway.pod.JobNames;
import dev.gangway.api.v1alpha1.AvoidedNode;
import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.placement.EmptyClusterFit;
import dev.gangway.placement.GangPlacer;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.PlacementQueue;
import dev.gangway.placement.PlacementResult;
import dev.gangway.placement.QueuedGang;
import dev.gangway.placement.SnapshotFactory;
import dev.gangway.quota.LimitRangeConstraints;
import dev.gangway.quota.NamespaceLimits;
import dev.gangway.quota.QuotaConstraints;
import dev.gangway.quota.QuotaFit;
import dev.gangway.quota.QuotaRefusal;
import dev.gangway.quota.QuotaRefusals;
import dev.gangway.quota.QuotaReservations;
import dev.gangway.quota.RankQuotaUsage;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Places a gang all or nothing, before its pods exist: one decision assigns every rank a node, the
 * job's status records it (node per rank, placedTime, Placed=True) before anything else is written,
 * and then each rank's pod is created already pinned to its node (required node affinity on
 * {@code metadata.name}) and carrying the reserved-node annotation that holds the node's capacity in
 * every other gang's snapshot: one write per rank, and kube-scheduler binds. Gangway never sets
 * {@code nodeName}, so kube-scheduler still checks each pod (resources, taints, volumes, pod
 * affinity) and keeps its own accounting, and a constraint placement cannot see shows as a bind timeout.
 *
 * <p>A gang no empty cluster could hold, or with more ranks than the nodes admit pods, is judged
 * before any decision or anything per rank is built: it is Unschedulable with the reason, and gets no
 * pods, Service or hostfile ({@link PlacementDecision#keepsRanksUncreated}).
 *
 * <p>A gang is admitted by its namespace's ResourceQuotas whole or not at all: before it is decided, what all its rank
 * pods would count ({@link RankQuotaUsage}, LimitRange defaults filled in) must fit every quota's {@code hard} minus its
 * {@code used} minus what gangs of the namespace decided a moment ago reserved ({@link QuotaReservations}); otherwise it
 * waits ({@link #QUOTA_EXCEEDED}) and gets no pods: a gang half admitted holds GPUs that cannot train. A rank pod the quota
 * admission refuses anyway (pods mutated at admission, other workloads' pods created meanwhile) ends the decision: the ranks
 * created are deleted and the gang waits, judged from then on as the server counted its pods ({@link QuotaRefusals}).
 *
 * <p>Until its pods are seen, the decision is held by the {@link GangPlacer} (its capacity counted for
 * every other gang), which creates the ones the cache does not show yet again (a create already done
 * answers 409) and never decides twice. A crash between the status write and the creates leaves a
 * persisted decision that no replica holds and no pod carries: the next reconcile decides again, against
 * the cluster as it is then, and nothing was written on its strength. A crash after some of the creates
 * leaves pods pinned for a decision no one holds: it is voided like a lost rank, below.
 *
 * <p>On a restart the next attempt is decided while the failed attempt's pods still terminate: their
 * GPUs count as free for this job (they are going away). A rank whose node such a pod still holds is
 * created (pinned, one write) as soon as no pod of an earlier attempt is left on its node, so
 * kube-scheduler never sees a rank it cannot bind yet, and a restart costs two writes per rank (the old
 * pod's delete, the new one's create). Until then the placer keeps the node held for it, up to that pod's
 * due time plus the bind timeout ({@link BindDeadlines#judgeWaiting}). Teardown and placement overlap
 * instead of running one after the other. Pods an earlier Gangway version created behind the {@link #GATE}
 * scheduling gate are still released with a patch.
 *
 * <p>Every rank must be bound within the bind timeout ({@link BindDeadlines}); the plan says when to
 * look again ({@link PlacementDecision#recheckAt}). A rank that does not bind in time, or waits on a pod stuck
 * terminating, ends the decision: the attempt's pods are deleted to be placed again, and the nodes
 * that failed are avoided by the job for a while ({@link AvoidedNodes}), so a constraint placement
 * cannot see does not produce the same decision again.
 *
 * <p>A rank pod that vanishes once the gang is decided (kube-scheduler preempted it, someone deleted
 * it) before the gang ran voids the decision: its node may be someone else's now. The attempt's
 * other pods are deleted and the gang is placed again, all or nothing, against the cluster as it is;
 * the rank is never created again onto the node decided for the pod that is gone. (A rank lost once
 * the gang ran is a failure: {@link GangRecoveryStep}.)
 */
public final class GangPlacementStep {
  public static final String GATE = "gangway.dev/placement";
  /** Placed=False reason of a gang that could not be placed even on an empty cluster. */
  public static final String UNSCHEDULABLE = "Unschedulable";
  /**
   * Placed=False reason of a gang that an empty cluster could hold, but not without the nodes it keeps off now (its
   * node exclusions, unhealthy or flagged nodes): it waits for them, not for other jobs.
   */
  public static final String EXCLUDED_NODES_LEAVE_NO_ROOM = "ExcludedNodesLeaveNoRoom";
  /** Placed=False reason of a gang that waits while the head of the queue holds the capacity it would need. */
  public static final String QUEUED_BEHIND = "QueuedBehind";
  /** Placed=False: the template names a PriorityClass that does not exist; nothing is created until it does. */
  public static final String PRIORITY_CLASS_NOT_FOUND = "PriorityClassNotFound";
  /** Placed=False: the job names topology levels and the ClusterTopology to resolve them is missing; nothing is created until it exists. */
  public static final String TOPOLOGY_NOT_FOUND = "TopologyNotFound";
  /**
   * Placed=False: the namespace's ResourceQuotas leave too little for the whole gang (what is used, plus gangs of the
   * namespace decided a moment ago); nothing is created until it all fits.
   */
  public static final String QUOTA_EXCEEDED = "QuotaExceeded";
  /**
   * Placed=False: a ResourceQuota of the namespace constrains CPU or memory, and a container of the template leaves it unset,
   * so the API server would refuse every rank pod; nothing is created until the template or a LimitRange default sets it.
   */
  public static final String QUOTA_REQUIRES_RESOURCES = "QuotaRequiresResources";
  /**
   * Placed=False: a LimitRange of the namespace sets a min, max or limit-to-request ratio that the rank pods fall outside
   * ({@link LimitRangeConstraints}), so the API server would refuse every one; nothing is created until the job's spec or the
   * LimitRange changes.
   */
  public static final String LIMIT_RANGE_VIOLATED = "LimitRangeViolated";
  /**
   * The Placed=False reasons of a gang waiting on its namespace's ResourceQuotas or LimitRanges: a change of either looks
   * again.
   */
  public static final Set<String> QUOTA_REASONS = Set.of(QUOTA_EXCEEDED, QUOTA_REQUIRES_RESOURCES, LIMIT_RANGE_VIOLATED);
  /**
   * The Placed=False reasons of a gang waiting on something only a person changes (an object to create, a quota), not on
   * capacity: it gets no pods meanwhile, and `kubectl gangway why` calls it Blocked.
   */
  public static final Set<String> BLOCKED_REASONS = Set.of(PRIORITY_CLASS_NOT_FOUND, TOPOLOGY_NOT_FOUND, QUOTA_EXCEEDED,
      QUOTA_REQUIRES_RESOURCES, LIMIT_RANGE_VIOLATED, ReconcileErrors.ADMISSION_REFUSED);

  /** Whether a Placed=False reason is one of {@link #QUOTA_REASONS}; null (no reason written) is not. */
  public static boolean waitsForQuota(String reason) {
    return reason != null && QUOTA_REASONS.contains(reason);
  }

  /** Whether a Placed=False reason is one of {@link #BLOCKED_REASONS}; null (no reason written) is not. */
  public static boolean blocked(String reason) {
    return reason != null && BLOCKED_REASONS.contains(reason);
  }
  /** Placed=False reason of a decided gang that lost a rank pod (preempted, deleted) before it ran: it is placed again, all or nothing. */
  public static final String RANK_LOST = "RankLost";

  /**
   * The job's topology and scheduling priority, and the gangs waiting to be placed as stored in the API server
   * ({@link WaitingGangs}), read only when this gang decides. The cluster itself is the placer's {@link
   * dev.gangway.placement.ClusterCache}, read when the gang decides and again under the placer's lock: a read taken when
   * the reconcile began may miss the pods of decisions made since.
   *
   * @param excludedNodes every node the gang keeps off now: its exclusions, unhealthy, flagged and avoided nodes
   * @param exclusions the job's node exclusions not over yet (status.nodeExclusions), for the message when they leave no room
   * @param namespaceLimits the ResourceQuotas and LimitRanges of the job's namespace
   * @param podSlots how many pods the cluster's nodes admit in all ({@link dev.gangway.observe.ClusterView#podSlots}), read
   *     only for a gang with no pod yet (it sums every node)
   */
  public record Inputs(Topology topology, int priority, Set<String> excludedNodes,
                       Supplier<List<QueuedGang>> queued, List<NodeExclusion> exclusions, java.util.function.LongSupplier podSlots,
                       NamespaceLimits namespaceLimits) {
    /** Without ResourceQuotas or LimitRanges in the job's namespace. */
    public Inputs(Topology topology, int priority, Set<String> excludedNodes, Supplier<List<QueuedGang>> queued,
                  List<NodeExclusion> exclusions, java.util.function.LongSupplier podSlots) {
      this(topology, priority, excludedNodes, queued, exclusions, podSlots, NamespaceLimits.NONE);
    }
  }

  private final GangPlacer placer;
  private final PlacementQueue queue;
  private final BindDeadlines deadlines;
  private final PlacementDefaults defaults;
  private final QuotaReservations quotaReservations = new QuotaReservations();
  private final QuotaRefusals quotaRefusals = new QuotaRefusals();
  private final AdmissionRefusals admissionRefusals = new AdmissionRefusals();
  private volatile int queueLength;

  public GangPlacementStep(GangPlacer placer, PlacementQueue queue, Duration bindTimeout, PlacementDefaults defaults) {
    this.placer = placer;
    this.queue = queue;
    this.deadlines = new BindDeadlines(bindTimeout);
    this.defaults = defaults;
  }

  /** Decides what to write; {@code placedTime} is when this attempt was last placed, or null. */
  public PlacementDecision decide(String jobKey, TrainingJobSpecView job, GangObservation gang, List<Pod> attemptPods, Inputs in,
                                   String placedTime, Instant now) {
    if (attemptPods.size() != gang.present().size() || nameStillTaken(jobKey, gang)) {
      // A pod of this attempt is still being deleted (an ended decision): its rank's pod can be created only once it is gone.
      return PlacementDecision.NONE;
    }
    Map<Pod, String> decided = decidedNodes(jobKey, attemptPods);
    Map<String, Pod> leaving = leavingByNode(gang.otherPods());
    if (!gang.complete()) {
      if (attemptPods.isEmpty()) {
        // A gang that could never be placed is judged before anything is built per rank: it gets no decision and no
        // pods (a million-rank job would otherwise be a million pod creates, or a million-rank placement, first).
        PlacementDecision never = neverFits(jobKey, job, in);
        if (never.kind() != PlacementDecision.Kind.NONE) {
          placer.release(jobKey);
          return never;
        }
      }
      Optional<QuotaRefusal> refused = attemptPods.isEmpty() ? Optional.empty() : quotaRefusals.rollingBack(jobKey, gang.attempt());
      if (refused.isPresent()) {
        return quotaRefused(jobKey, refused.get(), attemptPods, gang.ranks().size(), now);
      }
      Optional<AdmissionRefusals.Refusal> denied = admissionRefusals.rollingBack(jobKey, gang.attempt());
      if (denied.isPresent() && attemptPods.isEmpty() && denied.get().reported()) {
        // Its pods are gone: the gang waits below.
        admissionRefusals.rolledBack(jobKey);
      } else if (denied.isPresent()) {
        return admissionRefused(jobKey, denied.get(), attemptPods, gang.ranks().size(), now);
      }
      List<String> missingKeys = gang.missing().stream().map(r -> podKey(jobKey, r.rank(), gang.attempt())).toList();
      // Ranks decided onto a node a pod of the previous attempt still holds wait, uncreated, until it is gone or overdue.
      Map<String, String> held = placer.decisionOf(jobKey);
      List<PinnedRank> behind = new ArrayList<>();
      gang.missing().forEach(r -> {
        String node = held.get(podKey(jobKey, r.rank(), gang.attempt()));
        if (node != null && leaving.containsKey(node)) {
          behind.add(new PinnedRank(r.rank(), node));
        }
      });
      BindDeadlines.Verdict waiting = deadlines.judgeWaiting(behind, jobName(jobKey), gang.attempt(), leaving,
          Timestamps.parse(placedTime), now);
      if (!waiting.overdue().isEmpty() && decided.size() == attemptPods.size()) {
        return expired(jobKey, attemptPods, waiting.overdue(), now);
      }
      holdBehind(jobKey, gang.attempt(), behind, leaving, Timestamps.parse(placedTime), now);
      Map<String, String> toCreate = placer.toCreate(jobKey, missingKeys, now);
      if (toCreate.size() == missingKeys.size() && decided.size() == attemptPods.size()) {
        // The decision holds: its pods are being created (again where the cache does not show them yet and this replica
        // did not create them itself: a create done already answers 409, and the decision is never made twice).
        List<PinnedRank> create = new ArrayList<>();
        gang.missing().forEach(r -> {
          String node = toCreate.get(podKey(jobKey, r.rank(), gang.attempt()));
          if (!leaving.containsKey(node)) {
            create.add(new PinnedRank(r.rank(), node));
          }
        });
        return written(jobKey, attemptPods, decided, leaving, create, waiting.recheckAt(), placedTime, now);
      }
      if (!attemptPods.isEmpty()) {
        // A decided gang missing a rank whose pod was created (or whose decision this replica does not hold): void it.
        return lost(jobKey, gang, attemptPods, now);
      }
      // None of the attempt's pods exists and none is due to be created: decide (again, after a crash before the creates).
    } else if (decided.size() == attemptPods.size()) {
      // Every rank pod exists: the namespace's quotas count them (once the quota informer shows it).
      quotaReservations.settle(jobKey, now);
      admissionRefusals.admitted(jobKey);
      return written(jobKey, attemptPods, decided, leaving, List.of(), null, placedTime, now);
    }
    // Here either no pod of the attempt exists, or all exist without a placement: created gated by an earlier Gangway
    // version, they are placed like a new gang and each pinned, annotated and released in one patch.
    if (attemptPods.isEmpty()) {
      // Reserved before the decision, so two gangs of one namespace decided together cannot both count the same room.
      PodSpec template = in.namespaceLimits().asAdmitted(job.spec().getTemplate() == null ? null : job.spec().getTemplate().getSpec());
      quotaRefusals.rolledBack(jobKey);
      admissionRefusals.rolledBack(jobKey);
      Optional<String> outside = LimitRangeConstraints.violated(template, job.spec().gpus(), in.namespaceLimits().limitRanges());
      if (outside.isPresent()) {
        holdNothing(jobKey);
        return PlacementDecision.waiting(LIMIT_RANGE_VIOLATED, outside.get());
      }
      Map<String, java.math.BigDecimal> fromTemplate = RankQuotaUsage.of(template, job.spec().gpus(), in.namespaceLimits().limitRanges());
      Optional<String> unset = QuotaConstraints.unset(in.namespaceLimits().quotas(), template, in.namespaceLimits().limitRanges(),
          fromTemplate);
      if (unset.isPresent()) {
        holdNothing(jobKey);
        return PlacementDecision.waiting(QUOTA_REQUIRES_RESOURCES, unset.get());
      }
      Optional<AdmissionRefusals.Refusal> refusedBefore = admissionRefusals.waiting(jobKey, now);
      if (refusedBefore.isPresent()) {
        holdNothing(jobKey);
        AdmissionRefusals.Refusal r = refusedBefore.get();
        return PlacementDecision.waiting(ReconcileErrors.ADMISSION_REFUSED,
            PlacementMessages.admissionRefused(r.object(), r.message(), r.inARow(), r.retryAt()), r.retryAt());
      }
      Set<String> counting = quotaRefusals.quotasCounting(jobKey);
      Optional<String> shortfall = quotaReservations.reserve(jobKey, quotaRefusals.perRank(jobKey, fromTemplate), gang.ranks().size(),
          (perRank, reserved) -> QuotaFit.shortfall(in.namespaceLimits().quotas(), template, perRank, gang.ranks().size(), reserved,
              counting), now);
      if (shortfall.isPresent()) {
        placer.release(jobKey);
        // On a restart the quota still counts the earlier attempt's pods until they are gone: say so, or "in use" puzzles.
        return PlacementDecision.waiting(QUOTA_EXCEEDED, gang.otherPods().isEmpty() ? shortfall.get()
            : PlacementMessages.quotaHeldByEarlierAttempt(shortfall.get(), gang.otherPods().size()));
      }
    }
    PlacementDecision decision = placeNow(jobKey, job, gang, attemptPods, leaving, in, now);
    if (decision.kind() != PlacementDecision.Kind.PLACED) {
      // Nothing will be created for it now: the room it reserved in its namespace's quotas is free for others.
      quotaReservations.release(jobKey);
    }
    return decision;
  }

  /** Admission to the queue and the placement itself, for a gang with no pod of this attempt (or only gated ones). */
  private PlacementDecision placeNow(String jobKey, TrainingJobSpecView job, GangObservation gang, List<Pod> attemptPods,
                                     Map<String, Pod> leaving, Inputs in, Instant now) {
    GangRequest request = GangRequests.of(jobKey, job.spec(), in.namespaceLimits().limitRanges(), in.excludedNodes());
    Set<String> leavingPods = keysOf(gang.otherPods());
    List<QueuedGang> queued = in.queued().get();
    Instant waitingSince = queued.stream().filter(g -> g.jobKey().equals(jobKey)).findFirst().map(QueuedGang::waitingSince).orElse(now);
    QueuedGang self = new QueuedGang(jobKey, in.priority(), job.createdAt(), waitingSince, in.topology(), request,
        defaults.waitForTighter(job.spec(), gang.attempt()));
    PlacementQueue.Admission admission = queue.admit(self, queued, topology -> placer.snapshot(topology, leavingPods), now);
    queueLength = admission.queueLength();
    if (admission.kind() == PlacementQueue.Admission.Kind.UNSCHEDULABLE) {
      return PlacementDecision.waiting(UNSCHEDULABLE, admission.message());
    }
    if (admission.kind() == PlacementQueue.Admission.Kind.EXCLUDED) {
      return PlacementDecision.waiting(EXCLUDED_NODES_LEAVE_NO_ROOM, PlacementMessages.excluded(admission.message(), in.exclusions()));
    }
    List<String> rankKeys = new ArrayList<>();
    for (int rank = 0; rank < gang.ranks().size(); rank++) {
      rankKeys.add(podKey(jobKey, rank, gang.attempt()));
    }
    Instant recheckAt = now.plus(deadlines.bindTimeout());
    PlacementResult result = placer.place(in.topology(), request, rankKeys, admission.hidden(), leavingPods, now, recheckAt,
        self.holdsOutForTighter(now));
    if (PlacementResult.WAITING_FOR_TIGHTER_PLACEMENT.equals(result.reason())) {
      return PlacementDecision.waiting(result.reason(), PlacementMessages.holdingOut(result.message(), self.tighterUntil()),
          self.tighterUntil());
    }
    if (!result.placed()) {
      return admission.head() == null
          ? PlacementDecision.waiting(result.reason(), queue.passedUntil(self, now)
              .map(until -> PlacementMessages.passedUntil(result.message(), until)).orElse(result.message()))
          : PlacementDecision.waiting(QUEUED_BEHIND, admission.head().jobKey() + " is first in the queue (priority "
              + admission.head().priority() + ", waiting since " + admission.head().waitingSince() + ") and holds "
              + admission.held().where() + " for its start; on the rest of the cluster: " + result.message());
    }
    Map<Integer, Pod> existing = new HashMap<>();
    attemptPods.forEach(p -> existing.put(rankOf(p), p));
    List<PinnedRank> create = new ArrayList<>();
    List<PinnedRank> behind = new ArrayList<>();
    // By identity: a Pod's own hashCode walks the whole object (see InFlightDecisions.of).
    Map<Pod, String> assigned = new IdentityHashMap<>();
    for (int rank = 0; rank < result.nodes().size(); rank++) {
      String node = result.nodeOf(rank);
      if (existing.containsKey(rank)) {
        assigned.put(existing.get(rank), node);
      } else if (leaving.containsKey(node)) {
        behind.add(new PinnedRank(rank, node));
      } else {
        create.add(new PinnedRank(rank, node));
      }
    }
    holdBehind(jobKey, gang.attempt(), behind, leaving, now, now);
    return PlacementDecision.placed(result.nodes(), result.quality(), create, releasable(assigned, leaving), recheckAt, now);
  }

  /** The operator's defaults for what a job's spec.topology leaves unset. */
  public PlacementDefaults defaults() {
    return defaults;
  }

  /**
   * Unschedulable when an empty cluster could not hold the gang ({@link EmptyClusterFit#whyNever}), or its nodes admit
   * fewer pods than it has ranks (ranks asking for no GPU, CPU or memory stack without limit in placement's eyes):
   * its ranks are not created ({@link GangActions} reads {@link PlacementDecision#keepsRanksUncreated}); otherwise
   * nothing yet.
   */
  private PlacementDecision neverFits(String jobKey, TrainingJobSpecView job, Inputs in) {
    GangRequest request = GangRequests.of(jobKey, job.spec(), in.namespaceLimits().limitRanges(), in.excludedNodes());
    Optional<String> never = EmptyClusterFit.whyNever(placer.snapshot(in.topology(), Set.of()), request);
    long slots = never.isEmpty() ? in.podSlots().getAsLong() : 0;
    if (never.isEmpty() && request.replicas() > slots) {
      never = Optional.of("needs " + request.replicas() + " rank pods; the cluster's nodes admit " + slots
          + " pods in all (status.allocatable.pods)");
    }
    return never.map(why -> PlacementDecision.waiting(UNSCHEDULABLE, why)).orElse(PlacementDecision.NONE);
  }

  /**
   * The decision is made (on the pods, or held by the placer while they are created): create the pods still due,
   * release the ranks whose nodes are free, and end it when a rank is overdue.
   */
  private PlacementDecision written(String jobKey, List<Pod> attemptPods, Map<Pod, String> decided, Map<String, Pod> leaving,
                                    List<PinnedRank> create, Instant waitingDue, String placedTime, Instant now) {
    BindDeadlines.Verdict verdict = deadlines.judge(decided, leaving, Timestamps.parse(placedTime), now);
    if (!verdict.overdue().isEmpty()) {
      return expired(jobKey, attemptPods, verdict.overdue(), now);
    }
    Instant recheckAt = verdict.recheckAt() == null || (waitingDue != null && waitingDue.isBefore(verdict.recheckAt()))
        ? waitingDue : verdict.recheckAt();
    if (!create.isEmpty() && (recheckAt == null || recheckAt.isAfter(now.plus(deadlines.bindTimeout())))) {
      recheckAt = now.plus(deadlines.bindTimeout());
    }
    return PlacementDecision.carryingOut(create, releasable(decided, leaving), recheckAt, now);
  }

  /**
   * Ranks waiting, uncreated, for a pod of the previous attempt to leave their node keep that node held in the placer
   * until they are overdue ({@link BindDeadlines#judgeWaiting}); a decision's own creation deadline is only the bind
   * timeout, shorter than a terminating pod's grace period may be.
   */
  private void holdBehind(String jobKey, int attempt, List<PinnedRank> behind, Map<String, Pod> leaving, Instant placed, Instant now) {
    if (behind.isEmpty()) {
      return;
    }
    Map<String, Instant> until = new HashMap<>();
    for (PinnedRank rank : behind) {
      until.put(podKey(jobKey, rank.rank(), attempt), deadlines.dueBehind(leaving.get(rank.node()), placed == null ? now : placed));
    }
    placer.holdUntil(jobKey, until);
  }

  private static String jobName(String jobKey) {
    return jobKey.substring(jobKey.indexOf('/') + 1);
  }

  /** Whether a pod of this attempt being deleted still holds one of its ranks' names. */
  private static boolean nameStillTaken(String jobKey, GangObservation gang) {
    if (gang.otherPods().isEmpty()) {
      return false;
    }
    Set<Integer> present = new HashSet<>();
    gang.present().forEach(r -> present.add(r.rank()));
    for (Pod pod : gang.otherPods()) {
      Integer rank = labelOf(pod, JobNames.LABEL_RANK);
      if (rank != null && rank >= 0 && rank < gang.ranks().size() && !present.contains(rank)
          && SnapshotFactory.podKey(pod).equals(podKey(jobKey, rank, gang.attempt()))) {
        return true;
      }
    }
    return false;
  }

  private static Integer labelOf(Pod pod, String label) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    try {
      return labels == null || labels.get(label) == null ? null : Integer.valueOf(labels.get(label));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** "namespace/name" of a rank's pod in an attempt. */
  private static String podKey(String jobKey, int rank, int attempt) {
    int slash = jobKey.indexOf('/');
    return jobKey.substring(0, slash + 1) + JobNames.podName(jobKey.substring(slash + 1), rank, attempt);
  }

  /** Ends a decision an admission plugin refused a pod of: the ones created go too, and the gang waits for its retry. */
  private PlacementDecision admissionRefused(String jobKey, AdmissionRefusals.Refusal refusal, List<Pod> attemptPods, int ranks, Instant now) {
    holdNothing(jobKey);
    admissionRefusals.reported(jobKey);
    if (attemptPods.isEmpty()) {
      admissionRefusals.rolledBack(jobKey);
    }
    // With no pod to delete no pod event follows: look again at once, to wait out the retry (and at the retry time regardless).
    return PlacementDecision.expired(ReconcileErrors.ADMISSION_REFUSED, PlacementMessages.admissionRefused(refusal.object(), refusal.message(),
        attemptPods.size(), ranks, refusal.inARow(), refusal.retryAt()), List.of(), attemptPods,
        attemptPods.isEmpty() ? now : refusal.retryAt(), now);
  }

  /**
   * Ends a decision part of whose pods the quota admission refused: the ones created go too (half a gang holds GPUs it
   * cannot train on), and the gang waits until its namespace's quotas admit all of it, as the server counts its pods.
   */
  private PlacementDecision quotaRefused(String jobKey, QuotaRefusal refusal, List<Pod> attemptPods, int ranks, Instant now) {
    holdNothing(jobKey);
    return PlacementDecision.expired(QUOTA_EXCEEDED, PlacementMessages.quotaRefused(refusal, attemptPods.size(), ranks), List.of(),
        attemptPods, now);
  }

  /** Ends the decision: the attempt's pods go, to be created and placed again without the nodes that failed. */
  private PlacementDecision expired(String jobKey, List<Pod> attemptPods, List<BindDeadlines.Overdue> overdue, Instant now) {
    placer.release(jobKey);
    Instant until = now.plus(AvoidedNodes.avoidFor(deadlines.bindTimeout()));
    boolean allStuck = overdue.stream().allMatch(o -> BindDeadlines.STUCK_TERMINATING.equals(o.reason()));
    List<AvoidedNode> avoid = overdue.stream().map(o -> new AvoidedNode(o.node(), o.reason(), o.message(), until.toString())).toList();
    String message = PlacementMessages.expired(overdue, attemptPods.size(), deadlines.bindTimeout(), until);
    return PlacementDecision.expired(allStuck ? BindDeadlines.STUCK_TERMINATING : BindDeadlines.BIND_TIMEOUT, message, avoid,
        attemptPods, now);
  }

  /**
   * Ends a decision that lost a rank's pod before the gang ran: the other pods go too, to be created and placed
   * again as one gang. No node is avoided: a preemption or a deletion says nothing bad about the node.
   */
  private PlacementDecision lost(String jobKey, GangObservation gang, List<Pod> attemptPods, Instant now) {
    Map<String, String> held = placer.decisionOf(jobKey);
    placer.release(jobKey);
    String namespace = jobKey.substring(0, jobKey.indexOf('/'));
    String job = jobKey.substring(jobKey.indexOf('/') + 1);
    List<PlacementMessages.LostRank> ranks = gang.missing().stream().map(r -> {
      String pod = JobNames.podName(job, r.rank(), gang.attempt());
      return new PlacementMessages.LostRank(r.rank(), pod, held.get(namespace + "/" + pod));
    }).toList();
    return PlacementDecision.expired(RANK_LOST, PlacementMessages.lost(ranks, gang.ranks().size(), attemptPods.size()), List.of(),
        attemptPods, now);
  }

  /** The node of each rank as decided: the placer's decision if it still holds one for these pods, else the pod's annotation. */
  private Map<Pod, String> decidedNodes(String jobKey, List<Pod> attemptPods) {
    Map<Pod, String> held = placer.decisionFor(jobKey, attemptPods);
    Map<Pod, String> decided = new IdentityHashMap<>();
    for (Pod pod : attemptPods) {
      String node = held.get(pod);
      if (node == null) {
        node = reservedNode(pod);
      }
      if (node != null) {
        decided.put(pod, node);
      }
    }
    return decided;
  }

  /** Ranks created behind the gate whose node no pod of an earlier attempt holds any more. */
  private static Map<Pod, String> releasable(Map<Pod, String> decided, Map<String, Pod> leaving) {
    Map<Pod, String> release = new IdentityHashMap<>();
    decided.forEach((pod, node) -> {
      if (gated(pod) && !leaving.containsKey(node)) {
        release.put(pod, node);
      }
    });
    return release;
  }

  /** A pod of an earlier attempt per node it is still bound to: its GPUs are not free for kube-scheduler yet. */
  private static Map<String, Pod> leavingByNode(List<Pod> leaving) {
    Map<String, Pod> byNode = new HashMap<>();
    leaving.stream().filter(SnapshotFactory::bound).forEach(p -> byNode.putIfAbsent(p.getSpec().getNodeName(), p));
    return byNode;
  }

  /** Keys of this job's pods of earlier attempts, which are being deleted: their GPUs are free to it. */
  private static Set<String> keysOf(List<Pod> leaving) {
    Set<String> keys = new HashSet<>();
    leaving.forEach(p -> keys.add(SnapshotFactory.podKey(p)));
    return keys;
  }

  /** Gangs waiting for capacity, as the latest decision counted them. */
  public int waiting() {
    return queueLength;
  }

  /** Drops the decisions of jobs for which {@code exists} is false; returns their keys. */
  public Set<String> forgetDeleted(java.util.function.Predicate<String> exists) {
    quotaReservations.retain(exists);
    quotaRefusals.retain(exists);
    admissionRefusals.retain(exists);
    return placer.retainJobs(exists);
  }

  /** The gang is gone for good (finished, suspended, deleted): drop what the placer holds for it. */
  public void forget(String jobKey) {
    holdNothing(jobKey);
    quotaRefusals.forget(jobKey);
    admissionRefusals.forget(jobKey);
  }

  /**
   * A namespace's ResourceQuota refused a rank pod of this attempt at creation: the next decision deletes the pods created
   * ({@link #quotaRefused(String, QuotaRefusal, List, int, Instant)}), and the gang is judged from then on as the server
   * counted it ({@link QuotaRefusals}).
   */
  public void quotaRefused(String jobKey, int attempt, QuotaRefusal refusal) {
    quotaRefusals.refused(jobKey, attempt, refusal);
    holdNothing(jobKey);
  }

  /**
   * An admission plugin refused a rank pod of this attempt, or the Service, hostfile or ssh Secret it needs, at creation for a
   * reason the gang's checks do not foresee (a webhook's or a policy's denial, a ServiceAccount that does not exist): the
   * next decision deletes the pods created and the gang waits, holding nothing, until its retry time ({@link AdmissionRefusals}).
   *
   * @param object what was refused, as the condition names it: "a rank pod", "the job's Service"
   */
  public void admissionRefused(String jobKey, int attempt, String object, String message, Instant now) {
    admissionRefusals.refused(jobKey, attempt, object, message, now);
    holdNothing(jobKey);
  }

  /**
   * The job's spec changed since its last decision (a template fixed while the gang waited, which the CRD allows before any
   * pod exists): a refusal's retry time is not waited out, and what the quota admission counted of the old pods is not
   * held against the new ones.
   */
  public void specChanged(String jobKey, Instant now) {
    admissionRefusals.retryNow(jobKey, now);
    quotaRefusals.specChanged(jobKey);
  }

  /** The gang waits or is gone: neither the placer's nodes nor its namespace's quota room stay held for it. */
  private void holdNothing(String jobKey) {
    placer.release(jobKey);
    quotaReservations.release(jobKey);
  }

  /** Whether the pod still carries Gangway's placement gate. */
  public static boolean gated(Pod pod) {
    List<PodSchedulingGate> gates = pod.getSpec().getSchedulingGates();
    return gates != null && gates.stream().anyMatch(g -> GATE.equals(g.getName()));
  }

  public static String reservedNode(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(SnapshotFactory.RESERVED_NODE_ANNOTATION);
  }

  public static int rankOf(Pod pod) {
    return Integer.parseInt(pod.getMetadata().getLabels().get(JobNames.LABEL_RANK));
  }

  /** The parts of a TrainingJob placement reads, so tests need no full object. */
  public record TrainingJobSpecView(dev.gangway.api.v1alpha1.TrainingJobSpec spec, Instant createdAt) {
  }
}

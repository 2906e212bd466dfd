package dev.gangway.decide;

import dev.gangway.pod.Timestamps;
import dev.gangway.observe.GangObservation;
import dev.gangway.pod.RankPhase;
import dev.gangway.pod.RankState;
import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.PlacementStatus;
import dev.gangway.api.v1alpha1.RankPlacement;
import dev.gangway.api.v1alpha1.SuccessPolicy;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.recovery.RecoveryStatus;
import dev.gangway.recovery.RecoveryTimings;
import java.time.Duration;
import dev.gangway.placement.PlacementQuality;
import java.util.LinkedHashMap;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides a job's next status from its spec, its previous status and what its pods show. Pure: no
 * I/O, time passed in. Phases: Pending → Running → Succeeded | Failed, Suspended on request.
 */
public final class JobStatusMachine {
  public static final String REASON_INVALID_SPEC = "InvalidSpec";
  public static final String REASON_RANK_FAILED = "RankFailed";
  public static final String REASON_RESTARTED_IN_PLACE = "RestartedInPlace";
  private static final String REJECTED_PREFIX = "Rejected by the API server: ";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private JobStatusMachine() {
  }

  /** The attempt the job is on (1 for a job never started). */
  public static int attemptOf(TrainingJob job) {
    TrainingJobStatus s = job.getStatus();
    return s == null || s.getAttempt() == null ? 1 : s.getAttempt();
  }

  /**
   * The attempt whose pods the job should have at {@code now}: {@link #attemptOf}, or the next one once a pending
   * restart's backoff has passed. status.attempt names the new attempt only once its pods are observed; they are
   * created (gated) while the failed attempt's pods still terminate, and placed once those are gone.
   */
  public static int attemptToRun(TrainingJob job, Instant now) {
    int attempt = attemptOf(job);
    TrainingJobStatus status = job.getStatus();
    if (!JobDecider.restartPending(status) || job.getSpec().suspended()) {
      return attempt;
    }
    return Timestamps.parseOr(status.getNextRestartTime(), now).isAfter(now) ? attempt : attempt + 1;
  }

  /**
   * @param specProblems problems {@link SpecValidator} found, empty when the spec is valid
   * @param gang the pods of the attempt {@link #attemptOf} names
   */
  public static StatusTransition next(TrainingJob job, List<String> specProblems, GangObservation gang, Instant now) {
    return next(job, specProblems, gang, PlacementDecision.NONE, RecoveryDecision.NONE, now);
  }

  /**
   * @param placement what the placement step did this reconcile
   * @param recovery what the recovery step decided about a failure of this attempt
   */
  public static StatusTransition next(TrainingJob job, List<String> specProblems, GangObservation gang, PlacementDecision placement,
                                      RecoveryDecision recovery, Instant now) {
    TrainingJobSpec spec = job.getSpec();
    TrainingJobStatus previous = job.getStatus() == null ? new TrainingJobStatus() : job.getStatus();
    TrainingJobStatus next = SERIALIZATION.clone(previous);
    Long generation = job.getMetadata().getGeneration();
    JobConditions conditions = new JobConditions(previous.getConditions(), now, generation);
    List<JobEvent> events = new ArrayList<>();

    next.setObservedGeneration(generation);
    next.setGpus((int) Math.min(Integer.MAX_VALUE, (long) spec.getReplicas() * spec.gpus()));
    next.setRestarts(Objects.requireNonNullElse(previous.getRestarts(), 0));
    next.setAttempt(gang.attempt());
    JobPhase was = previous.getPhase();

    if (!specProblems.isEmpty()) {
      String message = String.join("; ", specProblems);
      conditions.set(JobConditions.FAILED, true, REASON_INVALID_SPEC, message);
      finish(next, JobPhase.Failed, now);
      if (was != JobPhase.Failed || !message.equals(failedMessage(previous))) {
        events.add(JobEvent.warning(REASON_INVALID_SPEC, message));
      }
    } else if (mayStartOver(job)) {
      // The spec was fixed: start over as a new job.
      conditions.set(JobConditions.FAILED, false, "SpecCorrected", "The spec is valid again; starting the job");
      next.setCompletionTime(null);
      next.setPhase(null);
      was = null;
    }

    if (specProblems.isEmpty() && (was == null || !was.isFinished())) {
      if (spec.suspended()) {
        suspend(next, conditions, events, was);
      } else {
        if (was == JobPhase.Suspended) {
          conditions.set(JobConditions.SUSPENDED, false, "JobResumed", "spec.suspend is false; starting attempt " + gang.attempt());
          events.add(JobEvent.normal("Resumed", "Starting attempt " + gang.attempt() + " of " + spec.getReplicas() + " ranks"));
        }
        placed(placement, conditions, events, previous);
        if (recovery.kind() == RecoveryDecision.Kind.FAIL) {
          fail(next, conditions, events, recovery.reason(), recovery.message(), now);
        } else if (recovery.kind() == RecoveryDecision.Kind.RESTART) {
          restart(next, conditions, events, recovery);
        } else if (was == JobPhase.Restarting) {
          continueRestart(spec, previous, next, conditions, events, gang, now);
        } else {
          progress(spec, next, conditions, events, was, gang, now);
        }
      }
    }

    inPlaceRestarts(spec, previous, next, events);
    next.setReadyRanks(next.getPhase() == JobPhase.Suspended ? 0 : gang.readyRanks());
    next.setReady(next.getReadyRanks() + "/" + spec.getReplicas());
    next.setPlacement(placementOf(job.getMetadata().getName(), gang, previous.getPlacement(), placement, now));
    next.setConditions(conditions.list());
    return new StatusTransition(next, events);
  }

  /**
   * Restarts of the attempt's processes inside its pods: the pods keep running, so only the attempt's checkpoint
   * reports tell. The count never falls within an attempt (a report counting fewer changes nothing); a new attempt
   * starts from none.
   */
  private static void inPlaceRestarts(TrainingJobSpec spec, TrainingJobStatus previous, TrainingJobStatus next, List<JobEvent> events) {
    int attempt = next.getAttempt();
    CheckpointStatus checkpoint = next.getLastCheckpoint();
    int reported = checkpoint != null && Objects.equals(checkpoint.getAttempt(), attempt)
        ? Objects.requireNonNullElse(checkpoint.getInPlaceRestarts(), 0) : 0;
    int known = inPlaceRestartsKnown(previous, attempt);
    int count = Math.max(known, reported);
    next.setInPlaceRestarts(count > 0 ? count : null);
    if (count > known) {
      Integer budget = spec.getFailurePolicy() == null ? null : spec.getFailurePolicy().getInPlaceRestarts();
      events.add(JobEvent.warning(REASON_RESTARTED_IN_PLACE, "The training processes of attempt " + attempt + " were restarted in their pods "
          + count + (count == 1 ? " time" : " times") + (budget == null ? "" : " (failurePolicy.inPlaceRestarts: " + budget + ")")
          + ", as the checkpoint report of step " + checkpoint.getStep() + " counted; the pods kept running"));
    }
  }

  /** The in-place restarts {@code status} already counts for {@code attempt}: none when it is of another attempt, or null. */
  public static int inPlaceRestartsKnown(TrainingJobStatus status, Integer attempt) {
    return status == null || !Objects.equals(status.getAttempt(), attempt) ? 0 : Objects.requireNonNullElse(status.getInPlaceRestarts(), 0);
  }

  private static void suspend(TrainingJobStatus next, JobConditions conditions, List<JobEvent> events, JobPhase was) {
    conditions.set(JobConditions.SUSPENDED, true, "JobSuspended", "spec.suspend is true: the job's pods are removed until it is resumed");
    conditions.clear(JobConditions.RUNNING, "JobSuspended", "The job is suspended");
    conditions.clear(JobConditions.PLACED, "JobSuspended", "The job is suspended; it is placed again when resumed");
    next.setPhase(JobPhase.Suspended);
    if (was != JobPhase.Suspended) {
      events.add(JobEvent.normal("Suspended", "Job suspended; its pods are being removed"));
    }
  }

  private static void progress(TrainingJobSpec spec, TrainingJobStatus next, JobConditions conditions, List<JobEvent> events,
                               JobPhase was, GangObservation gang, Instant now) {
    if (succeeded(spec, gang)) {
      String reason = spec.getSuccessPolicy() == SuccessPolicy.RankZero ? "RankZeroSucceeded" : "AllRanksSucceeded";
      String message = spec.getSuccessPolicy() == SuccessPolicy.RankZero
          ? "Rank 0 exited with code 0 (successPolicy RankZero)" : "All " + spec.getReplicas() + " ranks exited with code 0";
      conditions.set(JobConditions.SUCCEEDED, true, reason, message);
      conditions.clear(JobConditions.RUNNING, reason, "The job has finished");
      finish(next, JobPhase.Succeeded, now);
      events.add(JobEvent.normal("Succeeded", message));
      return;
    }
    // Ranks that already exited 0 (under AllRanks) keep the gang counted as running.
    boolean allRunning = gang.ranks().stream().allMatch(r -> r.running() || r.phase() == RankPhase.Succeeded);
    if (allRunning) {
      conditions.set(JobConditions.RUNNING, true, "AllRanksRunning", "All " + spec.getReplicas() + " ranks are running");
      next.setPhase(JobPhase.Running);
      if (next.getStartTime() == null) {
        next.setStartTime(now.toString());
      }
      if (was != JobPhase.Running) {
        events.add(JobEvent.normal("Running", "All " + spec.getReplicas() + " ranks are running"));
      }
      return;
    }
    long running = gang.count(RankPhase.Running);
    String waiting = gang.ranks().stream().filter(r -> !r.running()).findFirst()
        .map(r -> "; waiting for rank " + r.rank() + (r.phase() == RankPhase.Missing ? " (pod not created yet)" : " (" + r.detail() + ")"))
        .orElse("");
    conditions.set(JobConditions.RUNNING, false, "RanksPending", running + "/" + spec.getReplicas() + " ranks running" + waiting);
    next.setPhase(JobPhase.Pending);
    if (was == null) {
      events.add(JobEvent.normal("Started", "Starting attempt " + gang.attempt() + ": " + spec.getReplicas() + " ranks x "
          + spec.gpus() + " GPUs"));
    }
  }

  /** The Placed condition follows the placement step; an event marks each decision and each new reason to wait. */
  private static void placed(PlacementDecision placement, JobConditions conditions, List<JobEvent> events, TrainingJobStatus previous) {
    switch (placement.kind()) {
      case NONE -> { }
      case PLACED -> {
        conditions.set(JobConditions.PLACED, true, placement.reason(), placement.message());
        events.add(JobEvent.normal("Placed", placement.message()));
      }
      case WAITING -> {
        boolean newReason = !JobConditions.notPlacedReason(previous.getConditions()).filter(placement.reason()::equals).isPresent();
        conditions.set(JobConditions.PLACED, false, placement.reason(), placement.message());
        if (newReason) {
          events.add(JobEvent.normal("WaitingForPlacement", placement.message()));
        }
      }
      case EXPIRED -> {
        // Once per ended decision: until its pods are seen going, the next reconcile may end it again.
        boolean endedAlready = JobConditions.notPlacedReason(previous.getConditions()).filter(placement.reason()::equals).isPresent();
        conditions.set(JobConditions.PLACED, false, placement.reason(), placement.message());
        if (!endedAlready) {
          events.add(JobEvent.warning(placement.reason(), placement.message()));
        }
      }
    }
  }

  private static void fail(TrainingJobStatus next, JobConditions conditions, List<JobEvent> events, String reason, String message,
                           Instant now) {
    conditions.set(JobConditions.FAILED, true, reason, message);
    conditions.clear(JobConditions.RUNNING, reason, message);
    conditions.clear(JobConditions.RESTARTING, reason, "The job failed; it will not be restarted");
    next.setNextRestartTime(null);
    finish(next, JobPhase.Failed, now);
    events.add(JobEvent.warning(reason, message));
  }

  /** The gang is torn down; the reconciler starts the next attempt once the backoff passed and the old pods are gone. */
  private static void restart(TrainingJobStatus next, JobConditions conditions, List<JobEvent> events, RecoveryDecision recovery) {
    var restart = recovery.restart();
    if (!RecoveryStatus.recordRestart(next, restart)) {
      return;
    }
    conditions.set(JobConditions.RESTARTING, true, recovery.reason(), recovery.message());
    conditions.clear(JobConditions.RUNNING, recovery.reason(), "The gang is being restarted");
    conditions.clear(JobConditions.PLACED, recovery.reason(), "The gang is placed again for attempt " + restart.nextAttempt());
    next.setPhase(JobPhase.Restarting);
    events.add(JobEvent.warning(REASON_RANK_FAILED, restart.classification().message()));
    events.add(JobEvent.normal("Restarting", "Attempt " + restart.nextAttempt() + " starts in " + restart.backoff().toSeconds() + " s"
        + (restart.resumeFrom() == null ? " from scratch" : " from checkpoint " + restart.resumeFrom())
        + (restart.exclusions().isEmpty() ? "" : ", excluding " + String.join(", ", restart.excludedNodes()))));
  }

  /** Between a restart decision and the new attempt running: stays Restarting, then Running with timings. */
  private static void continueRestart(TrainingJobSpec spec, TrainingJobStatus previous, TrainingJobStatus next, JobConditions conditions,
                                      List<JobEvent> events, GangObservation gang, Instant now) {
    next.setPhase(JobPhase.Restarting);
    boolean newAttempt = previous.getAttempt() != null && gang.attempt() > previous.getAttempt();
    if (newAttempt) {
      next.setNextRestartTime(null);
    }
    if (next.getNextRestartTime() != null || !gang.allRunning()) {
      long running = gang.count(RankPhase.Running);
      conditions.set(JobConditions.RUNNING, false, "Restarting", running + "/" + spec.getReplicas() + " ranks of attempt "
          + gang.attempt() + " running");
      return;
    }
    RestartRecord last = previous.getRestartHistory().get(previous.getRestartHistory().size() - 1);
    Instant failedAt = Timestamps.parseOr(last.getTime(), now);
    Instant detectedAt = Timestamps.parse(last.getDetectedTime());
    Instant checkpointAt = previous.getLastCheckpoint() == null || last.getResumedFrom() == null
        ? null : Timestamps.parse(previous.getLastCheckpoint().getTime());
    RecoveryStatus.recordRecovered(next, RecoveryTimings.of(failedAt, detectedAt, detectedAt, now, now, checkpointAt, null));
    String message = "All " + spec.getReplicas() + " ranks of attempt " + gang.attempt() + " are running"
        + (last.getResumedFrom() == null ? ", started from scratch" : ", resumed from " + last.getResumedFrom())
        + "; recovered in " + Duration.between(failedAt, now).toSeconds() + " s after the failure";
    conditions.set(JobConditions.RESTARTING, false, "Recovered", message);
    conditions.set(JobConditions.RUNNING, true, "AllRanksRunning", message);
    next.setPhase(JobPhase.Running);
    events.add(JobEvent.normal("Resumed", message));
  }

  /**
   * The job fails because the API server refused its pods as invalid (HTTP 422). Unlike a problem
   * Gangway's own validation finds, this one can only go away with a new spec.
   */
  public static StatusTransition rejected(TrainingJob job, String message, Instant now) {
    TrainingJobStatus next = SERIALIZATION.clone(job.getStatus() == null ? new TrainingJobStatus() : job.getStatus());
    JobConditions conditions = new JobConditions(next.getConditions(), now, job.getMetadata().getGeneration());
    List<JobEvent> events = new ArrayList<>();
    fail(next, conditions, events, REASON_INVALID_SPEC, REJECTED_PREFIX + message, now);
    next.setConditions(conditions.list());
    return new StatusTransition(next, events);
  }

  /**
   * The stored job has fields Gangway cannot read ({@code fields}: "path: why", from {@code cache.UnreadableJobFields}): it
   * fails naming them, as an invalid spec does, and starts over once they are fixed. Nothing else is decided from a spec
   * read in part. Empty when the job says so already.
   */
  public static java.util.Optional<StatusTransition> unreadable(TrainingJob job, List<String> fields, Instant now) {
    String message = "Gangway cannot read " + (fields.size() == 1 ? "this field" : "these fields") + " of the stored job: "
        + String.join("; ", fields) + ". It was stored before the CRD bounded " + (fields.size() == 1 ? "it" : "them")
        + ", and the API server now refuses " + (fields.size() == 1 ? "such a value" : "such values")
        + "; set a value in range, or delete the job and create it again";
    if (job.getStatus() != null && wasInvalidSpec(job.getStatus()) && message.equals(failedMessage(job.getStatus()))) {
      return java.util.Optional.empty();
    }
    TrainingJobStatus next = SERIALIZATION.clone(job.getStatus() == null ? new TrainingJobStatus() : job.getStatus());
    next.setObservedGeneration(job.getMetadata().getGeneration());
    JobConditions conditions = new JobConditions(next.getConditions(), now, job.getMetadata().getGeneration());
    List<JobEvent> events = new ArrayList<>();
    fail(next, conditions, events, REASON_INVALID_SPEC, message, now);
    next.setConditions(conditions.list());
    return java.util.Optional.of(new StatusTransition(next, events));
  }

  /**
   * Whether a job that failed on an invalid spec may start over: when Gangway's validation found the
   * problem, as soon as it is gone (a ClusterTopology created later); when the API server refused
   * the pods, only once the spec changed.
   */
  public static boolean mayStartOver(TrainingJob job) {
    TrainingJobStatus status = job.getStatus();
    if (status == null || !wasInvalidSpec(status)) {
      return false;
    }
    var failed = JobConditions.find(status.getConditions(), JobConditions.FAILED).orElseThrow();
    boolean refusedByServer = failed.getMessage() != null && failed.getMessage().startsWith(REJECTED_PREFIX);
    return !refusedByServer || !java.util.Objects.equals(failed.getObservedGeneration(), job.getMetadata().getGeneration());
  }

  public static boolean succeeded(TrainingJobSpec spec, GangObservation gang) {
    if (spec.getSuccessPolicy() == SuccessPolicy.RankZero) {
      return gang.ranks().get(0).phase() == RankPhase.Succeeded;
    }
    return gang.count(RankPhase.Succeeded) == spec.getReplicas();
  }

  private static void finish(TrainingJobStatus next, JobPhase phase, Instant now) {
    next.setPhase(phase);
    if (next.getCompletionTime() == null) {
      next.setCompletionTime(now.toString());
    }
  }

  private static boolean wasInvalidSpec(TrainingJobStatus previous) {
    return previous.getPhase() == JobPhase.Failed
        && JobConditions.find(previous.getConditions(), JobConditions.FAILED).map(c -> REASON_INVALID_SPEC.equals(c.getReason())).orElse(false);
  }

  private static String failedMessage(TrainingJobStatus previous) {
    return JobConditions.find(previous.getConditions(), JobConditions.FAILED).map(c -> c.getMessage()).orElse(null);
  }

  /**
   * The decision's quality when one was just made; otherwise the previous one. Ranks show the node each
   * rank is bound to, or the decided node until it binds, and the pod that is (or is about to be) created for it;
   * a rank whose pod the cache does not show yet keeps what the status said of this attempt's pod.
   */
  private static PlacementStatus placementOf(String job, GangObservation gang, PlacementStatus previous, PlacementDecision outcome,
                                             Instant now) {
    PlacementStatus placement = previous == null ? new PlacementStatus() : SERIALIZATION.clone(previous);
    if (outcome.kind() == PlacementDecision.Kind.PLACED) {
      PlacementQuality q = outcome.quality();
      placement.setDomainsSpanned(new LinkedHashMap<>(q.domainsSpanned()));
      placement.setRingCrossings(new LinkedHashMap<>(q.ringCrossings()));
      placement.setLowerBoundDomains(new LinkedHashMap<>(q.lowerBoundDomains()));
      placement.setSlowestLink(q.slowestLink());
      placement.setPredictedAllReduceMillis(millis(q.predictedAllReduceSeconds()));
      placement.setLowerBoundAllReduceMillis(millis(q.lowerBoundAllReduceSeconds()));
      placement.setPlacedTime(now.toString());
    }
    List<RankPlacement> ranks = new ArrayList<>();
    Map<Integer, RankPlacement> before = previousRanks(previous, gang);
    for (RankState r : ranksToRead(gang, before, outcome)) {
      String pod = r.pod() != null ? r.pod() : dev.gangway.pod.JobNames.podName(job, r.rank(), gang.attempt());
      String node = r.node() != null ? r.node()
          : outcome.kind() == PlacementDecision.Kind.PLACED ? outcome.nodes().get(r.rank()) : previousNode(before, r.rank(), pod);
      if (node != null) {
        ranks.add(new RankPlacement(r.rank(), node, pod));
      }
    }
    if (!ranks.isEmpty()) {
      placement.setRanks(ranks);
    }
    placement.setAvoidedNodes(AvoidedNodes.next(placement.getAvoidedNodes(), outcome.avoid(), now));
    boolean empty = placement.getRanks().isEmpty() && placement.getPlacedTime() == null && placement.getAvoidedNodes() == null;
    return empty && previous == null ? null : placement;
  }

  /** The previous status's ranks of this gang by rank (none past its size). */
  private static Map<Integer, RankPlacement> previousRanks(PlacementStatus previous, GangObservation gang) {
    Map<Integer, RankPlacement> byRank = new TreeMap<>();
    if (previous != null && previous.getRanks() != null) {
      for (RankPlacement p : previous.getRanks()) {
        if (p.getRank() != null && p.getRank() >= 0 && p.getRank() < gang.ranks().size()) {
          byRank.putIfAbsent(p.getRank(), p);
        }
      }
    }
    return byRank;
  }

  /**
   * The ranks whose placement can be known: every rank in a decision just made; otherwise the ranks with a pod and those
   * the previous status placed (their pods, created pinned, may not be in the cache yet). Never every rank of a gang
   * with no pods and no decision: reading a million missing ranks would cost what the observation saved.
   */
  private static Collection<RankState> ranksToRead(GangObservation gang, Map<Integer, RankPlacement> before, PlacementDecision outcome) {
    if (outcome.kind() == PlacementDecision.Kind.PLACED) {
      return gang.ranks();
    }
    if (before.isEmpty()) {
      return gang.present();
    }
    Map<Integer, RankState> read = new TreeMap<>();
    before.keySet().forEach(rank -> read.put(rank, gang.ranks().get(rank)));
    gang.present().forEach(r -> read.put(r.rank(), r));
    return read.values();
  }

  /** The node the previous status gave the rank, if it gave it for the same pod. */
  private static String previousNode(Map<Integer, RankPlacement> before, int rank, String pod) {
    RankPlacement p = before.get(rank);
    return p != null && pod.equals(p.getPod()) ? p.getNode() : null;
  }

  /** Rounded to microseconds so equal decisions give byte-equal status and no needless writes. */
  private static double millis(double seconds) {
    return Math.round(seconds * 1_000_000) / 1000.0;
  }

}

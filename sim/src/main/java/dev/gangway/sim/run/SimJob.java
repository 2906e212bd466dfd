package dev.gangway.sim.run;

import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.placement.PlacementQuality;
import dev.gangway.recovery.RecoveryPolicy;
import dev.gangway.goodput.Bucket;
import dev.gangway.sim.accounting.Ledger;
import dev.gangway.sim.failure.Fault;
import dev.gangway.sim.job.JobSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * One job in the simulation: its phase, its nodes, its status as Gangway would store it, and its ledger.
 * {@link #enter} charges the time spent in the phase being left, so the ledger always sums to the time
 * since submission.
 */
final class SimJob {

  final JobSpec spec;
  /** Its place in the scenario's jobs: the order the results sum in. */
  final int ordinal;
  final String uid;
  final Ledger ledger = new Ledger();
  final TrainingJobStatus status = new TrainingJobStatus();
  final RecoveryPolicy recovery;

  Phase phase = Phase.PENDING;
  long phaseSince;
  /** Incremented on every phase change: events scheduled for an earlier phase see a different token and do nothing. */
  int token;
  int[] nodes = new int[0];
  double slowdown = 1;
  /** Running wall time since the last checkpoint ended (or the attempt started). */
  long sinceCheckpoint;
  /** Progress the checkpoint being written covers. */
  long checkpointCovers;
  boolean hasCheckpoint;
  /** When it last entered the queue. */
  long queuedAt = -1;
  boolean unschedulable;
  String unschedulableMessage;
  Fault fault;
  long faultAt;
  long end = -1;
  boolean failed;
  int interruptions;
  /** Running time between failures, for the observed MTBF. */
  long runningMillis;
  final List<PlacementQuality> placements = new ArrayList<>();
  boolean placedBefore;
  /** What the queue last read of it ({@link GangRequests#queued}); stale once the token or phaseSince moves. */
  GangRequests.AsQueued asQueued;

  SimJob(JobSpec spec, RecoveryPolicy recovery, int ordinal) {
    this.spec = spec;
    this.ordinal = ordinal;
    this.uid = "uid-" + spec.key();
    this.recovery = recovery;
    status.setAttempt(0);
  }

  int attempt() {
    return status.getAttempt();
  }

  /** Charges the time since the phase began, then moves to {@code next}; returns the new token. */
  int enter(Phase next, long now) {
    settle(now);
    phase = next;
    return ++token;
  }

  /** Charges the time spent in the current phase up to {@code now} without leaving it. */
  void settle(long now) {
    long d = now - phaseSince;
    if (d < 0) throw new IllegalStateException(spec.key() + ": time went backwards");
    phaseSince = now;
    if (d == 0) return;
    if (phase == Phase.RUNNING) {
      long progress = Math.round(d / slowdown);
      ledger.progress(progress);
      ledger.charge(Bucket.SLOW_PLACEMENT, d - progress);
      sinceCheckpoint += d;
      runningMillis += d;
    } else if (phase.bucket != null) {
      ledger.charge(phase.bucket, d);
    }
  }

  /** Progress made so far, kept or not. */
  long progress() {
    return ledger.get(Bucket.USEFUL) + ledger.pending();
  }
}

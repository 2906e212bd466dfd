package dev.gangway.e2e.chaos;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The run's own account of one job: where it is in its life and which faults hit it, in order. */
final class JobTrack {
  enum State {
    /** Not applied yet. */
    WAITING,
    /** Applied, not Running yet. */
    SUBMITTED,
    /** Running, and nothing the run did to it is still under way: a fault may hit it. */
    RUNNING,
    /** Hit by a restarting fault; waits for the next attempt to run. */
    RECOVERING,
    /** Told to succeed (its ranks exit 0). */
    FINISHING,
    /** Nothing more will be done to it: expected Failed or Unschedulable. */
    SETTLED,
    /** Deleted by the run. */
    DELETED
  }

  final JobPlan plan;
  final List<FaultKind> hits = new ArrayList<>();
  State state = State.WAITING;
  String uid;
  Instant appliedAt;
  Instant runningSince;
  FaultKind recovering;
  Instant injectedAt;
  int injectedAttempt;

  JobTrack(JobPlan plan) {
    this.plan = plan;
  }

  Expectation expectation() {
    return Expectation.of(plan, hits, state == State.DELETED);
  }

  /** Records a fault that hit attempt {@code attempt} at {@code at}. */
  void hit(FaultKind kind, Instant at, int attempt) {
    hits.add(kind);
    if (expectation().settled()) {
      state = State.SETTLED;
    } else if (kind.restarts()) {
      state = State.RECOVERING;
      recovering = kind;
      injectedAt = at;
      injectedAttempt = attempt;
    }
  }
}

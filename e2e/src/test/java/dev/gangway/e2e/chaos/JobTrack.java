package dev.gangway.e2e.chaos;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
  /** When each of {@link #hits} struck, index for index. */
  final List<Instant> hitTimes = new ArrayList<>();
  /** The attempt each of {@link #hits} struck, index for index. */
  final List<Integer> hitAttempts = new ArrayList<>();
  /** Indexes into {@link #hits}; written by the undo thread. */
  final Set<Integer> overran = ConcurrentHashMap.newKeySet();
  /** Indexes into {@link #hits} of rank faults that had no effect (see {@link #absorbed}). */
  final Set<Integer> absorbed = new HashSet<>();
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

  /** The expectation if every blip stayed a blip: what the run steers by. */
  Expectation expectation() {
    return Expectation.of(plan, hits, state == State.DELETED);
  }

  /** Every ending the job may rightly have: more than one only when a blip overran (see {@link #overran}). */
  List<Expectation> acceptable() {
    return Expectation.acceptable(plan, hits, overran, absorbed, state == State.DELETED);
  }

  /**
   * Records a fault that hit attempt {@code attempt} at {@code at}.
   *
   * @return its index among the job's hits
   */
  int hit(FaultKind kind, Instant at, int attempt) {
    hits.add(kind);
    hitTimes.add(at);
    hitAttempts.add(attempt);
    if (expectation().settled()) {
      state = State.SETTLED;
    } else if (kind.restarts()) {
      state = State.RECOVERING;
      recovering = kind;
      injectedAt = at;
      injectedAttempt = attempt;
    }
    return hits.size() - 1;
  }

  /**
   * The hit at {@code index}, a NotReady blip, lasted long enough that the operator may have seen it
   * pass its grace: a restart for it is then as right as none.
   */
  void overran(int index) {
    overran.add(index);
  }

  /** After the run: a fault that hit the job unseen (see {@link UnseenHits}), put among the hits by time. */
  void unseen(FaultKind kind, Instant at, int attempt) {
    int i = 0;
    while (i < hitTimes.size() && !hitTimes.get(i).isAfter(at)) {
      i++;
    }
    hits.add(i, kind);
    hitTimes.add(i, at);
    hitAttempts.add(i, attempt);
    shift(overran, i);
    shift(absorbed, i);
  }

  /**
   * After the run: the rank faults that struck an attempt the operator restarted for a node fault
   * (restart history: that attempt ended with an infrastructure cause) did nothing: one attempt ends once.
   *
   * @param infrastructureEnded attempts whose restart the history charges to the infrastructure
   */
  void absorbed(Set<Integer> infrastructureEnded) {
    for (int i = 0; i < hits.size(); i++) {
      if (hits.get(i).target() == FaultKind.Target.RANK && infrastructureEnded.contains(hitAttempts.get(i))) {
        absorbed.add(i);
      }
    }
  }

  private static void shift(Set<Integer> indexes, int from) {
    List<Integer> shifted = indexes.stream().map(o -> o >= from ? o + 1 : o).toList();
    indexes.clear();
    indexes.addAll(shifted);
  }
}

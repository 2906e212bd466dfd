package dev.gangway.e2e.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a job must end as, given the faults that hit it, in order. Restarts charged beyond a limit
 * fail the job with the counter left at the limit (the restart planner refuses once
 * {@code restarts >= maxRestarts}).
 */
public record Expectation(Outcome outcome, int restarts, int infrastructureRestarts) {

  public enum Outcome {
    /** Every rank exits 0. */
    SUCCEEDED,
    /** Failed: a permanent error or a restart limit reached. */
    FAILED,
    /** Never placeable: condition Placed=False with reason Unschedulable, and it blocks nobody. */
    UNSCHEDULABLE,
    /** Deleted by the user: gone, and its pods too. */
    DELETED
  }

  public static Expectation of(JobPlan plan, List<FaultKind> hits, boolean deleted) {
    return acceptable(plan, hits, Set.of(), Set.of(), deleted).get(0);
  }

  /**
   * Every ending the job may rightly have; the first treats every blip as a blip.
   *
   * @param uncertain hits (NotReady blips that overran) that may each have been taken as a NotReady node or not
   * @param absorbed  hits that had no effect: a rank fault on an attempt the operator was already
   *                  restarting for a node fault (its restart history says so)
   */
  public static List<Expectation> acceptable(JobPlan plan, List<FaultKind> hits, Set<Integer> uncertain, Set<Integer> absorbed,
      boolean deleted) {
    List<FaultKind.Effect> effects = new ArrayList<>();
    for (int i = 0; i < hits.size(); i++) {
      effects.add(absorbed.contains(i) ? FaultKind.Effect.NONE : hits.get(i).effect());
    }
    List<Expectation> all = new ArrayList<>();
    List<Integer> open = uncertain.stream().filter(i -> i < hits.size()).sorted().toList();
    for (int mask = 0; mask < 1 << open.size(); mask++) {
      List<FaultKind.Effect> branch = new ArrayList<>(effects);
      for (int b = 0; b < open.size(); b++) {
        if ((mask & 1 << b) != 0) {
          branch.set(open.get(b), FaultKind.NODE_NOT_READY.effect());
        }
      }
      Expectation e = single(plan, branch, deleted);
      if (!all.contains(e)) {
        all.add(e);
      }
    }
    return all;
  }

  private static Expectation single(JobPlan plan, List<FaultKind.Effect> effects, boolean deleted) {
    if (deleted) {
      return new Expectation(Outcome.DELETED, 0, 0);
    }
    if (!plan.fits()) {
      return new Expectation(Outcome.UNSCHEDULABLE, 0, 0);
    }
    int restarts = 0;
    int infrastructure = 0;
    for (FaultKind.Effect effect : effects) {
      switch (effect) {
        case FAIL -> {
          return new Expectation(Outcome.FAILED, restarts, infrastructure);
        }
        case RESTART -> {
          if (restarts >= plan.maxRestarts()) {
            return new Expectation(Outcome.FAILED, restarts, infrastructure);
          }
          restarts++;
        }
        case INFRASTRUCTURE_RESTART -> {
          if (infrastructure >= plan.maxInfrastructureRestarts()) {
            return new Expectation(Outcome.FAILED, restarts, infrastructure);
          }
          infrastructure++;
        }
        case NONE -> {
        }
      }
    }
    return new Expectation(Outcome.SUCCEEDED, restarts, infrastructure);
  }

  /** Nothing more may be done to the job: it is (to be) Failed, gone or never placed. */
  public boolean settled() {
    return outcome != Outcome.SUCCEEDED;
  }
}

package dev.gangway.e2e.chaos;

import java.util.List;

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
    if (deleted) {
      return new Expectation(Outcome.DELETED, 0, 0);
    }
    if (!plan.fits()) {
      return new Expectation(Outcome.UNSCHEDULABLE, 0, 0);
    }
    int restarts = 0;
    int infrastructure = 0;
    for (FaultKind hit : hits) {
      switch (hit.effect()) {
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

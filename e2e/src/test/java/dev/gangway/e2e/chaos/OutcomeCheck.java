package dev.gangway.e2e.chaos;

import java.util.ArrayList;
import java.util.List;

/** The end of the run: each job against its {@link Expectation}, on the last snapshot. Pure. */
public final class OutcomeCheck {
  private OutcomeCheck() {
  }

  /** Passes when the job ends as any of {@code acceptable}; otherwise the first one's violations, naming the others. */
  public static List<Violation> check(Snapshot last, String namespace, JobPlan plan, List<Expectation> acceptable) {
    List<Violation> first = check(last, namespace, plan, acceptable.get(0));
    if (first.isEmpty() || acceptable.size() == 1) {
      return first;
    }
    if (acceptable.stream().skip(1).anyMatch(e -> check(last, namespace, plan, e).isEmpty())) {
      return List.of();
    }
    return first.stream().map(v -> new Violation(v.invariant(), v.at(), v.job(), v.rank(), v.attempt(), v.evidence()
        + " (also acceptable: " + acceptable.subList(1, acceptable.size()) + ")")).toList();
  }

  public static List<Violation> check(Snapshot last, String namespace, JobPlan plan, Expectation expected) {
    List<Violation> found = new ArrayList<>();
    Snapshot.JobFact job = last.job(namespace, plan.name());
    String key = namespace + "/" + plan.name();
    switch (expected.outcome()) {
      case DELETED -> {
        if (job != null) {
          found.add(new Violation(Invariant.WRONG_OUTCOME, last.at(), key, null, job.attempt(), "deleted by the run, still present: " + job));
        }
      }
      case UNSCHEDULABLE -> {
        if (job == null || !"False/Unschedulable".equals(job.placed())) {
          found.add(new Violation(Invariant.WRONG_OUTCOME, last.at(), key, null, job == null ? null : job.attempt(),
              plan.describe() + " can never fit: expected Placed=False/Unschedulable, observed " + (job == null ? "no job" : "phase "
                  + job.phase() + ", Placed=" + job.placed())));
        }
      }
      case SUCCEEDED, FAILED -> {
        String phase = expected.outcome() == Expectation.Outcome.SUCCEEDED ? "Succeeded" : "Failed";
        if (job == null) {
          found.add(new Violation(Invariant.WRONG_OUTCOME, last.at(), key, null, null, "lost: expected " + phase + ", the job is gone"));
          break;
        }
        if (!phase.equals(job.phase())) {
          found.add(new Violation(Invariant.WRONG_OUTCOME, last.at(), key, null, job.attempt(), "expected " + phase + ", observed "
              + (job.phase().isEmpty() ? "no phase" : job.phase()) + " (attempt " + job.attempt() + ", Placed=" + job.placed() + ")"));
        }
        if (job.restarts() != expected.restarts() || job.infrastructureRestarts() != expected.infrastructureRestarts()) {
          found.add(new Violation(Invariant.RESTARTS_MISCOUNTED, last.at(), key, null, job.attempt(), "expected restarts="
              + expected.restarts() + " infrastructureRestarts=" + expected.infrastructureRestarts() + ", observed restarts="
              + job.restarts() + " infrastructureRestarts=" + job.infrastructureRestarts()));
        }
      }
    }
    return found;
  }
}

package dev.gangway.e2e.chaos;

import dev.gangway.e2e.Manifests;
import java.time.Duration;

/**
 * One TrainingJob of the chaos workload.
 *
 * @param arrival       offset from the start of the run at which it is applied
 * @param runFor        how long it trains once Running before the run lets it succeed
 * @param deleteAfter   null, or how long after arrival the user deletes it
 * @param requiredLevel null, or spec.topology.required
 * @param groupSize     0, or spec.topology.groupSize (tensor-parallel groups) with {@code groupLevel}
 * @param fits          false for a job that cannot be placed even on the empty cluster
 */
public record JobPlan(String name, int ranks, int gpusPerRank, String requiredLevel, int groupSize, String groupLevel,
                      String priorityClass, Duration arrival, Duration runFor, Duration deleteAfter, int maxRestarts,
                      int maxInfrastructureRestarts, boolean fits) {

  /** The manifest a user would apply; busybox on KWOK nodes, backoff of 1 s so recoveries are quick. */
  public String manifest() {
    StringBuilder topology = new StringBuilder();
    if (requiredLevel != null || groupSize > 0) {
      topology.append("  topology:\n");
      if (requiredLevel != null) {
        topology.append("    required: ").append(requiredLevel).append('\n');
      }
      if (groupSize > 0) {
        topology.append("    groupSize: ").append(groupSize).append("\n    groupLevel: ").append(groupLevel).append('\n');
      }
    }
    String failurePolicy = "  failurePolicy:\n    maxRestarts: " + maxRestarts + "\n    maxInfrastructureRestarts: "
        + maxInfrastructureRestarts + "\n    backoff: {initialSeconds: 1, maxSeconds: 2}\n";
    return Manifests.trainingJob(name, ranks, gpusPerRank, topology + failurePolicy, "      priorityClassName: " + priorityClass + "\n");
  }

  public int gpus() {
    return ranks * gpusPerRank;
  }

  /** For the report: "j07 16x8 req=rack tp=4@host high". */
  public String describe() {
    return name + " " + ranks + "x" + gpusPerRank + (requiredLevel == null ? "" : " req=" + requiredLevel)
        + (groupSize > 0 ? " tp=" + groupSize + "@" + groupLevel : "") + " " + priorityClass + (fits ? "" : " UNFIT");
  }
}

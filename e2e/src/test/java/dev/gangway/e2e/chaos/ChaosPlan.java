package dev.gangway.e2e.chaos;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The seeded workload and fault schedule of one run; faults sorted by time. */
public record ChaosPlan(long seed, ChaosProfile profile, List<JobPlan> jobs, List<Fault> faults) {
  public ChaosPlan {
    jobs = List.copyOf(jobs);
    faults = List.copyOf(faults);
  }

  public Map<FaultKind, Integer> faultsByKind() {
    Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
    faults.forEach(f -> counts.merge(f.kind(), 1, Integer::sum));
    return counts;
  }

  public JobPlan job(String name) {
    return jobs.stream().filter(j -> j.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no job " + name + " in the plan"));
  }
}

package dev.gangway.sim.run;

import dev.gangway.sim.failure.Fault;
import dev.gangway.sim.fleet.ClusterDescription;
import dev.gangway.sim.job.JobSpec;
import dev.gangway.sim.policy.Costs;
import java.util.List;

/**
 * What every policy of a run faces: the same cluster, faults, jobs and costs.
 *
 * @param failuresPerGpuHour faults per busy GPU-hour the failure profile expects (node faults spread over
 *     the node's GPUs): a job's prior MTBF, Daly's starting point before failures are observed
 * @param queueWindow waiting gangs looked at per placement pass, in queue order (Gangway looks at every
 *     waiting gang every 5 s; the window bounds the simulator's work when hundreds wait)
 */
public record Scenario(ClusterDescription cluster, List<Fault> faults, List<JobSpec> jobs, long horizon, Costs costs,
    double failuresPerGpuHour, int queueWindow, long seed) {

  public Scenario {
    faults = List.copyOf(faults);
    jobs = List.copyOf(jobs);
  }
}

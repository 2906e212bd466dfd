package dev.gangway.sim.run;

import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.failure.Component;
import dev.gangway.sim.failure.FailureProfile;
import dev.gangway.sim.failure.Fault;
import dev.gangway.sim.failure.FaultTrace;
import dev.gangway.sim.fleet.ClusterDescription;
import dev.gangway.sim.fleet.Fleet;
import dev.gangway.sim.job.JobSpec;
import dev.gangway.sim.job.MixedStream;
import dev.gangway.sim.policy.Costs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds a {@link Scenario} from a cluster description, a failure profile (or a trace) and the workload:
 * one large job of {@code largeGpus} GPUs on whole nodes, submitted at time 0 with the highest priority,
 * and a mixed stream sized to the GPUs the large job leaves.
 */
public final class ScenarioBuilder {

  /** The large job's name. */
  public static final String LARGE_JOB = "train/pretrain";

  public record Workload(int largeGpus, long largeStartup, long largeCheckpointWrite, long largeCheckpointLoad, double streamLoad,
      double streamMeanWorkHours, int streamMaxLog2Nodes) {

    public static Workload llama3(int largeGpus) {
      return new Workload(largeGpus, Durations.minutes(5), Durations.minutes(2), Durations.minutes(3), 0.85, 8, 6);
    }
  }

  private ScenarioBuilder() {
  }

  public static Scenario build(ClusterDescription cluster, FailureProfile profile, Path trace, Workload w, double days, Costs costs,
      int queueWindow, long seed) {
    long horizon = Durations.hours(days * 24);
    Fleet shape = new Fleet(cluster);
    int gpn = cluster.nodes().gpus();
    if (w.largeGpus() % gpn != 0 || w.largeGpus() > cluster.nodes().count() * gpn) {
      throw new IllegalArgumentException("--large-gpus " + w.largeGpus() + " must be a multiple of " + gpn
          + " GPUs per node and at most the cluster's " + cluster.nodes().count() * gpn + " GPUs");
    }
    List<Fault> faults = trace != null ? FaultTrace.read(trace, profile, shape::indexOf)
        : profile.draw(cluster.nodes().count(), gpn, horizon, new Random(seed));
    List<JobSpec> jobs = new ArrayList<>();
    if (w.largeGpus() > 0) {
      jobs.add(new JobSpec(LARGE_JOB, w.largeGpus() / gpn, gpn, 1000, 0, Long.MAX_VALUE, w.largeStartup(), w.largeCheckpointWrite(),
          w.largeCheckpointLoad(), null, true));
    }
    int left = cluster.nodes().count() * gpn - w.largeGpus();
    jobs.addAll(MixedStream.generate(left, gpn, w.streamMaxLog2Nodes(), w.streamLoad(), w.streamMeanWorkHours(), horizon,
        cluster.levels().get(0).name(), new Random(seed * 31 + 7)));
    double perGpuHour = 0;
    for (Component c : profile.components()) perGpuHour += c.nodeFault() ? c.ratePerHour() / gpn : c.ratePerHour();
    return new Scenario(cluster, faults, jobs, horizon, costs, perGpuHour, queueWindow, seed);
  }
}

package dev.gangway.sim;

import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.failure.FailureProfile;
import dev.gangway.sim.fleet.ClusterDescription;
import dev.gangway.sim.fleet.Fleet;
import dev.gangway.sim.policy.Costs;
import dev.gangway.sim.policy.Policy;
import dev.gangway.sim.run.PolicyResult;
import dev.gangway.sim.run.Scenario;
import dev.gangway.sim.run.ScenarioBuilder;
import dev.gangway.sim.run.Simulation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The simulator's speed targets (issue 13), each run with the fleet's incremental bookkeeping and, as the baseline in
 * the same process, with every snapshot rebuilt from scratch (the first version's path; the decisions are the same,
 * {@code PinnedRunsTest}): a 54-day run of Llama 3's profile on hyperscale (the 15,360-GPU job and the mixed stream) and
 * a year of a mixed stream on all 2,048 nodes. Prints wall-clock and CPU seconds and events per second per policy.
 * The baseline of the year runs {@code --baseline-days} days only (default 14; a year of it takes about a quarter of
 * an hour per policy) and is extrapolated by its events per second, which the table says; {@code --baseline-days 0}
 * leaves the baseline out. CPU seconds are the simulation thread's (the machine may be shared: wall-clock is not the
 * measure); the process's CPU (JIT and GC threads included) and the load average are printed beside them.
 *
 * <p>{@code java -cp sim/target/gangway-sim.jar dev.gangway.sim.SpeedBenchmark [--year-days 365] [--baseline-days 14]
 * [--policies naive,gangway-defaults,gangway-tuned] [--targets 54-days,year] [--inspection-hours 2]}, from the repository root.
 */
public final class SpeedBenchmark {

  private SpeedBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = Main.options(args);
    ClusterDescription cluster = ClusterDescription.read(Path.of(o.getOrDefault("cluster", "e2e/clusters/hyperscale.yaml")));
    FailureProfile profile = FailureProfile.llama3(Path.of(o.getOrDefault("failures", "../shared/data/failures/llama3-table5.csv")));
    double yearDays = Double.parseDouble(o.getOrDefault("year-days", "365"));
    double baselineDays = Double.parseDouble(o.getOrDefault("baseline-days", "14"));
    List<String> names = List.of(o.getOrDefault("policies", "naive,gangway-defaults,gangway-tuned").split(","));
    List<String> targets = List.of(o.getOrDefault("targets", "54-days,year").split(","));
    List<Policy> policies = Policy.compared(60, 16, true).stream().filter(p -> names.contains(p.name())).toList();
    System.out.printf("gangway-sim speed, %s (%d nodes x %d GPUs), %d core(s) available, JDK %s%n", cluster.name(), cluster.nodes().count(),
        cluster.nodes().gpus(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    System.out.println();
    System.out.println("| target | policy | bookkeeping | simulated days | events | wall s | CPU s | process CPU s | load avg | events/s (CPU) "
        + "| wall s for the target |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");

    // As Main: flagged nodes are inspected after 2 h unless --inspection-hours says otherwise (negative: never).
    Costs costs = Costs.standard().withInspection(Durations.hours(Double.parseDouble(o.getOrDefault("inspection-hours", "2"))));
    // Only the scenarios asked for are drawn: a year's is 300,000 jobs, which a user timing the 54 days would wait for too.
    Scenario llama3 = targets.contains("54-days")
        ? ScenarioBuilder.build(cluster, profile, null, ScenarioBuilder.Workload.llama3(15360), 54, costs, 16, 1) : null;
    Scenario year = targets.contains("year")
        ? ScenarioBuilder.build(cluster, profile, null, ScenarioBuilder.Workload.llama3(0), yearDays, costs, 16, 1) : null;
    Scenario yearBaseline = targets.contains("year") && baselineDays > 0 ? ScenarioBuilder.build(cluster, profile, null,
        ScenarioBuilder.Workload.llama3(0), Math.min(baselineDays, yearDays), costs, 16, 1) : null;
    Map<String, List<PolicyResult.QueueSample>> queues = new java.util.LinkedHashMap<>();
    for (Policy p : policies) {
      if (targets.contains("54-days")) row("54 days, 15,360-GPU job + stream (< 10 s)", p, Fleet.Bookkeeping.INCREMENTAL, llama3, 54, 54);
      if (targets.contains("54-days") && baselineDays > 0) row("54 days, 15,360-GPU job + stream (< 10 s)", p, Fleet.Bookkeeping.REBUILT, llama3, 54, 54);
      if (!targets.contains("year")) continue;
      PolicyResult r = row(yearDays + " days, stream on 2,048 nodes (< 60 s)", p, Fleet.Bookkeeping.INCREMENTAL, year, yearDays, yearDays);
      queues.put(p.name(), r.stream().queueByDay());
      if (baselineDays > 0) {
        row(yearDays + " days, stream on 2,048 nodes (< 60 s)", p, Fleet.Bookkeeping.REBUILT, yearBaseline, Math.min(baselineDays, yearDays),
            yearDays);
      }
    }
    printQueues(queues);
  }

  /** The queue at the end of every {@code step}-th day: does the stream's offered load outrun the fleet? */
  private static void printQueues(Map<String, List<PolicyResult.QueueSample>> queues) {
    if (queues.isEmpty()) return;
    System.out.println();
    System.out.println("Year stream: jobs waiting (GPUs they ask for; nodes cordoned) at the end of the day");
    System.out.println();
    System.out.println("| policy | " + String.join(" | ", queues.values().iterator().next().stream().filter(SpeedBenchmark::shown)
        .map(q -> "day " + Math.round(q.day())).toList()) + " |");
    System.out.println("|---" + "|---".repeat((int) queues.values().iterator().next().stream().filter(SpeedBenchmark::shown).count()) + "|");
    queues.forEach((policy, samples) -> System.out.println("| " + policy + " | " + String.join(" | ", samples.stream()
        .filter(SpeedBenchmark::shown).map(q -> String.format("%,d (%,d; %d)", q.jobs(), q.gpus(), q.cordonedNodes())).toList()) + " |"));
  }

  private static boolean shown(PolicyResult.QueueSample q) {
    long day = Math.round(q.day());
    return day == 1 || day == 7 || day % 30 == 0;
  }

  private static PolicyResult row(String target, Policy p, Fleet.Bookkeeping bookkeeping, Scenario s, double days, double targetDays) {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long start = System.nanoTime();
    long processStart = os.getProcessCpuTime();
    PolicyResult r = new Simulation(s, p, bookkeeping).run();
    double wall = (System.nanoTime() - start) / 1e9;
    double process = (os.getProcessCpuTime() - processStart) / 1e9;
    String forTarget = days == targetDays ? String.format("%.1f", wall) : String.format("~%.0f (extrapolated from %.0f days)", wall * targetDays / days, days);
    System.out.printf("| %s | %s | %s | %.0f | %,d | %.1f | %.1f | %.1f | %.1f | %,.0f | %s |%n", target, p.name(),
        bookkeeping.name().toLowerCase(), days, r.events(), wall, r.cpuSeconds(), process, os.getSystemLoadAverage(),
        r.events() / r.cpuSeconds(), forTarget);
    return r;
  }
}

package dev.gangway.sim.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.failure.FailureProfile;
import dev.gangway.sim.fleet.ClusterDescription;
import dev.gangway.sim.fleet.Fleet;
import dev.gangway.sim.policy.Costs;
import dev.gangway.sim.policy.Policy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs whose every reported number is pinned in {@code pinned-runs.txt}, written by the simulator as it was before
 * its speed-up (issue 13): a change that makes the simulator decide anything differently fails here, whichever way
 * the fleet keeps its state. The runs: every policy on the small cluster with 50x Llama 3's fault rates and a mixed
 * stream; the three main policies on hyperscale (2,048 nodes) for two days with the large job and the stream, and
 * with the stream alone (the year-long benchmark's workload); and a replayed fault trace. The reference bookkeeping
 * ({@link Fleet.Bookkeeping#REBUILT}, the benchmark's baseline) replays the small cluster and the trace.
 *
 * <p>When a change to the decisions is intended, rerun with {@code -Dgangway.sim.repin=true}, which writes
 * {@code target/pinned-runs.txt}; copy it over the resource and say in the commit what moved and why.
 */
class PinnedRunsTest {

  static final Path HYPERSCALE = Path.of("../e2e/clusters/hyperscale.yaml");

  @ParameterizedTest
  @EnumSource(Fleet.Bookkeeping.class)
  void everyRunDecidesAsPinned(Fleet.Bookkeeping bookkeeping) throws IOException {
    // The reference bookkeeping is slow on 2,048 nodes: it replays the small cluster and the trace only.
    boolean all = bookkeeping == Fleet.Bookkeeping.INCREMENTAL;
    List<String> now = runs(bookkeeping, all);
    if (Boolean.getBoolean("gangway.sim.repin") && all) {
      Files.write(Path.of("target/pinned-runs.txt"), now, StandardCharsets.UTF_8);
    }
    List<String> pinned = Files.readAllLines(Path.of("src/test/resources/pinned-runs.txt"), StandardCharsets.UTF_8).stream()
        .filter(line -> all || !line.startsWith("hyperscale")).toList();
    assertThat(now).containsExactlyElementsOf(pinned);
  }

  static List<String> runs(Fleet.Bookkeeping bookkeeping, boolean hyperscaleRuns) throws IOException {
    List<String> out = new ArrayList<>();
    FailureProfile llama3 = FailureProfile.llama3(SimulationTest.LLAMA3);
    Scenario small = ScenarioBuilder.build(SimulationTest.SMALL, llama3.scaled(50), null, new ScenarioBuilder.Workload(64,
        Durations.minutes(5), Durations.minutes(2), Durations.minutes(3), 0.8, 4, 2), 10, Costs.standard(), 16, 42);
    for (Policy p : Policy.compared(60, 2, true)) out.add("small " + summary(new Simulation(small, p, bookkeeping).run()));

    ClusterDescription hyperscale = ClusterDescription.read(HYPERSCALE);
    Scenario withLarge = ScenarioBuilder.build(hyperscale, llama3.scaled(5), null, ScenarioBuilder.Workload.llama3(15360), 2,
        Costs.standard(), 16, 1);
    Scenario streamOnly = ScenarioBuilder.build(hyperscale, llama3.scaled(5), null, ScenarioBuilder.Workload.llama3(0), 2,
        Costs.standard(), 16, 1);
    for (Policy p : hyperscaleRuns ? Policy.compared(60, 16, false) : List.<Policy>of()) {
      out.add("hyperscale " + summary(new Simulation(withLarge, p, bookkeeping).run()));
      out.add("hyperscale-stream " + summary(new Simulation(streamOnly, p, bookkeeping).run()));
    }

    Path trace = Files.createTempFile("trace", ".csv");
    Files.writeString(trace, """
        node,start_hours,end_hours,kind
        hs-gpu-0042,2.5,4.0,Faulty GPU
        17,6,6,software
        hs-gpu-1000,8.25,9,hang+health
        5,10,16,node-down
        hs-gpu-0100,12,20,Silent data corruption
        hs-gpu-0100,14,15,NIC
        """);
    Scenario replayed = ScenarioBuilder.build(hyperscale, llama3, trace, new ScenarioBuilder.Workload(1024, Durations.minutes(5),
        Durations.minutes(2), Durations.minutes(3), 0.85, 8, 6), 1, Costs.standard(), 16, 3);
    Files.delete(trace);
    for (Policy p : Policy.compared(60, 16, false)) out.add("trace " + summary(new Simulation(replayed, p, bookkeeping).run()));
    return out;
  }

  /** Every number a run reports, CPU time aside; maps in key order, the large job's timeline and days as a digest. */
  static String summary(PolicyResult r) {
    StringBuilder b = new StringBuilder(r.policy().name()).append(": events=").append(r.events());
    PolicyResult.LargeJob l = r.large();
    if (l != null) {
      b.append(" | large ettr=").append(l.ettr()).append(" hours=").append(l.hoursByBucket()).append(" interruptions=")
          .append(l.interruptions()).append(" restarts=").append(new TreeMap<>(l.restartsByCause())).append(" byCategory=")
          .append(new TreeMap<>(l.interruptionsByCategory())).append(" placements=").append(l.placements()).append(" ring=")
          .append(l.meanAllReduceVsBound()).append('/').append(l.meanRingCostVsBound()).append(" excluded=").append(l.excludedNodes())
          .append(" waitingSince=").append(l.waitingSinceDay()).append(" unschedulable=").append(l.unschedulableMessage())
          .append(" budgetDay=").append(l.defaultBudgetSpentDay()).append(" interval=").append(l.meanIntervalMinutes())
          .append(" timeline=").append(digest(l.timeline().toString() + l.dailyGoodput()));
    }
    PolicyResult.Stream s = r.stream();
    if (s != null) {
      b.append(" | stream jobs=").append(s.submitted()).append('/').append(s.completed()).append('/').append(s.failed()).append('/')
          .append(s.unfinished()).append(" gpuHours=").append(s.gpuHoursByBucket()).append(" goodput=").append(s.goodput())
          .append(" wait=").append(s.meanWaitHours()).append('/').append(s.p95WaitHours()).append(" ring=")
          .append(s.multiNodePlacements()).append('/').append(s.meanAllReduceVsBound()).append('/').append(s.p95AllReduceVsBound())
          .append('/').append(s.atBoundShare()).append(" restarts=").append(new TreeMap<>(s.restartsByCause()));
    }
    return b.append(" | fleet ").append(r.fleet().allocatedGpuHours()).append('/').append(r.fleet().usefulGpuHours()).toString();
  }

  static String digest(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

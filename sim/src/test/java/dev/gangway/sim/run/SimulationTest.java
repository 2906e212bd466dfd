package dev.gangway.sim.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.goodput.Bucket;
import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.failure.Component;
import dev.gangway.sim.failure.FailureProfile;
import dev.gangway.sim.failure.Fault;
import dev.gangway.sim.failure.Symptom;
import dev.gangway.sim.fleet.ClusterDescription;
import dev.gangway.sim.job.JobSpec;
import dev.gangway.sim.policy.Costs;
import dev.gangway.sim.policy.Policy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The simulator on the e2e suite's small cluster (16 nodes x 8 GPUs, 2 racks): a fault at a known time on
 * every node, so whatever nodes the large job got, it is hit once, and its time can be worked out by hand.
 */
class SimulationTest {

  static final ClusterDescription SMALL = ClusterDescription.read(Path.of("../e2e/clusters/small.yaml"));
  static final Path LLAMA3 = Path.of("../../shared/data/failures/llama3-table5.csv");
  static final Component SOFTWARE = new Component("Software Bug", "Dependency", false, Symptom.EXIT, false, null, 0, 0);
  static final Component GPU_NO_SIGNAL = new Component("Faulty GPU", "GPU", true, Symptom.EXIT, false, null, 0, 0);

  /** 8 whole nodes; start-up 5 min, checkpoint write 2 min, load 3 min, checkpoints every 60 min of training. */
  static JobSpec large() {
    return new JobSpec(ScenarioBuilder.LARGE_JOB, 8, 8, 1000, 0, Long.MAX_VALUE, Durations.minutes(5), Durations.minutes(2),
        Durations.minutes(3), null, true);
  }

  static List<Fault> onEveryNode(double hour, Component c, double repairHours) {
    List<Fault> out = new ArrayList<>();
    for (int n = 0; n < 16; n++) out.add(new Fault(Durations.hours(hour), n, c, Durations.hours(repairHours)));
    return out;
  }

  static Scenario scenario(List<Fault> faults, List<JobSpec> jobs, double hours) {
    return new Scenario(SMALL, faults, jobs, Durations.hours(hours), Costs.standard(), 1e-5, 16, 1);
  }

  static long minutes(PolicyResult r, Bucket b) {
    return Math.round(r.large().hoursByBucket().get(b.name()) * 60 * 60) ; // seconds
  }

  @Test
  void gangwayRestartsACrashedGangAtOnceElsewhereAndTheLedgerShowsWhereEachMinuteWent() {
    PolicyResult r = new Simulation(scenario(onEveryNode(10, SOFTWARE, 0), List.of(large()), 12), Policy.gangwayDefaults(60)).run();
    // Checkpoints end at 5 + 62k min; the last before the crash at 600 min ends at 563: 37 min of work lost.
    assertThat(minutes(r, Bucket.LOST_WORK)).isEqualTo(37 * 60);
    // The pod watch sees the exit in 5 s.
    assertThat(minutes(r, Bucket.DETECTION)).isEqualTo(5);
    // First start 5 min; teardown 60 s (longer than the first backoff, 10 s); start-up 5 min + checkpoint load 3 min.
    assertThat(minutes(r, Bucket.RESTART)).isEqualTo((5 + 1 + 8) * 60);
    assertThat(minutes(r, Bucket.WAITING_CAPACITY)).isZero();
    // Nine checkpoints before the crash, one after the restart (609:05 + 60 min).
    assertThat(minutes(r, Bucket.CHECKPOINT_WRITE)).isEqualTo(10 * 2 * 60);
    assertThat(minutes(r, Bucket.SLOW_PLACEMENT)).isZero();
    assertThat(minutes(r, Bucket.USEFUL)).isEqualTo(12 * 3600 - (37 + 14 + 20) * 60 - 5);
    assertThat(r.large().restartsByCause()).isEqualTo(Map.of("RankFailed", 1));
    assertThat(r.large().excludedNodes()).as("a crash does not exclude its node").isZero();
    assertThat(r.large().placements()).isEqualTo(2);
    assertThat(r.large().meanAllReduceVsBound()).isEqualTo(1.0);
  }

  @Test
  void naiveNoticesOnlyWhenTheCollectiveTimesOut() {
    PolicyResult r = new Simulation(scenario(onEveryNode(10, SOFTWARE, 0), List.of(large()), 12), Policy.naive(60)).run();
    assertThat(minutes(r, Bucket.DETECTION)).isEqualTo(10 * 60);
    assertThat(minutes(r, Bucket.RESTART)).isEqualTo((5 + 1 + 8) * 60);
    assertThat(minutes(r, Bucket.WAITING_REPAIR)).isZero();
    assertThat(r.large().restartsByCause()).isEqualTo(Map.of("InPlace (exit)", 1));
  }

  @Test
  void naiveHoldsItsNodesUntilTheBrokenOnesAreRepaired() {
    // Every node broken from 10 h to 12 h: detected at 10:10, torn down by 10:11, waits for repair until 12:00.
    PolicyResult r = new Simulation(scenario(onEveryNode(10, GPU_NO_SIGNAL, 2), List.of(large()), 14), Policy.naive(60)).run();
    assertThat(minutes(r, Bucket.WAITING_REPAIR)).isEqualTo(109 * 60);
  }

  @Test
  void aCrashDoesNotExcludeItsNodeSoBrokenNodesThatLookHealthyNeverRunTheJobOutOfNodes() {
    // Every node broken for a day and nothing tells Kubernetes: each attempt crashes as it starts. A crash is not the
    // node's fault as far as Gangway can tell, so no node is excluded and the job runs again once they are repaired.
    PolicyResult r = new Simulation(scenario(onEveryNode(10, GPU_NO_SIGNAL, 24), List.of(large()), 48), Policy.gangwayDefaults(60)).run();
    assertThat(r.large().excludedNodes()).isZero();
    assertThat(r.large().restartsByCause()).containsOnlyKeys("RankFailed");
    assertThat(r.large().waitingSinceDay()).isNull();
  }

  @Test
  void aLostNodeIsExcludedForNodeExclusionSecondsAndNoLonger() {
    // Every node goes down at 10 h for 30 min: the job loses a rank's node (NodeLost) and keeps off it for the API's
    // default 4 h, then may use it again.
    Component down = new Component("Host maintenance", "Host", true, Symptom.NODE_DOWN, false, null, 0, 0);
    PolicyResult during = new Simulation(scenario(onEveryNode(10, down, 0.5), List.of(large()), 12), Policy.gangwayDefaults(60)).run();
    assertThat(during.large().restartsByCause()).isEqualTo(Map.of("NodeLost", 1));
    assertThat(during.large().excludedNodes()).isEqualTo(1);
    PolicyResult after = new Simulation(scenario(onEveryNode(10, down, 0.5), List.of(large()), 16), Policy.gangwayDefaults(60)).run();
    assertThat(after.large().excludedNodes()).isZero();
  }

  @Test
  void aGpuThatReportsAnXidIsOffTheMarketEvenWithoutExclusion() {
    // The device plugin marks the GPU unhealthy: every node advertises 7 GPUs until repaired 24 h later, so the
    // 8-GPU ranks wait instead of crash-looping on the broken nodes.
    Component xid = new Component("Faulty GPU", "GPU", true, Symptom.EXIT, true, "XID 79", 0, 0);
    PolicyResult r = new Simulation(scenario(onEveryNode(10, xid, 24), List.of(large()), 48),
        Policy.gangwayDefaults(60).withExcludeFailedNodes(false)).run();
    assertThat(r.large().restartsByCause()).isEqualTo(Map.of("RankFailed", 1));
    assertThat(minutes(r, Bucket.WAITING_CAPACITY)).isEqualTo(24 * 3600 - 65);
  }

  /**
   * Every node broken from 10 h to 40 h and nothing tells Kubernetes; one-node jobs of 30 min arrive every 5 min and
   * crash as they start there, so Gangway flags nodes where three jobs failed within the hour. With the fleet's repair
   * loop (inspection 2 h after the flag) a flagged node stays cordoned while it is broken and is back once repaired;
   * without it, it never comes back and the jobs wait for good.
   */
  @Test
  void aFlaggedNodeReturnsToServiceOnceInspectedAndRepairedAndNeverWithoutTheRepairLoop() {
    List<JobSpec> jobs = new ArrayList<>();
    for (int i = 0; i < 40 * 12; i++) {
      jobs.add(new JobSpec("team/j" + i, 1, 8, 0, i * Durations.minutes(5), Durations.minutes(30), Durations.minutes(2),
          Durations.minutes(1), Durations.minutes(1), null, false));
    }
    Scenario broken = new Scenario(SMALL, onEveryNode(10, GPU_NO_SIGNAL, 30), jobs, Durations.hours(72),
        Costs.standard().withInspection(Durations.hours(2)), 1e-5, 16, 1);
    List<PolicyResult.QueueSample> inspected = new Simulation(broken, Policy.gangwayDefaults(60)).run().stream().queueByDay();
    assertThat(inspected.get(0).cordonedNodes()).as("day 1: flagged, inspected, still broken").isPositive();
    assertThat(inspected.get(1).cordonedNodes()).as("day 2: repaired at 40 h, back in service").isZero();
    assertThat(inspected.get(2).jobs()).as("day 3: every job has run").isZero();

    Scenario nobody = new Scenario(SMALL, broken.faults(), jobs, broken.horizon(), Costs.standard().withInspection(-1), 1e-5, 16, 1);
    List<PolicyResult.QueueSample> never = new Simulation(nobody, Policy.gangwayDefaults(60)).run().stream().queueByDay();
    assertThat(never.get(0).cordonedNodes()).isEqualTo(inspected.get(0).cordonedNodes());
    assertThat(never.get(2).cordonedNodes()).as("nothing uncordons them").isEqualTo(never.get(0).cordonedNodes());
    assertThat(never.get(2).jobs()).as("the jobs that needed them still wait").isPositive();
  }

  /**
   * A 12-node job runs for 2 h; the large job (8 nodes) arrives at 1 min and must wait for it; a 2-node job of 30 min
   * arrives at 2 min and fits on the 4 free nodes. By default the large job, first in the queue, holds those nodes and
   * the small one waits until the large one has started; with the head passed for 60 min the small one starts at once,
   * is done long before the 12-node job, and the large job starts no later.
   */
  @Test
  void withTheHeadPassedForAWhileASmallJobStartsAtOnceAndTheLargeJobStartsNoLater() {
    List<JobSpec> jobs = List.of(
        new JobSpec("team/filler", 12, 8, 0, 0, Durations.hours(2), Durations.minutes(1), Durations.minutes(1), Durations.minutes(1),
            null, false),
        new JobSpec(ScenarioBuilder.LARGE_JOB, 8, 8, 1000, Durations.minutes(1), Long.MAX_VALUE, Durations.minutes(5),
            Durations.minutes(2), Durations.minutes(3), null, true),
        new JobSpec("team/small", 2, 8, 0, Durations.minutes(2), Durations.minutes(30), Durations.minutes(1), Durations.minutes(1),
            Durations.minutes(1), null, false));
    Scenario s = scenario(List.of(), jobs, 6);
    PolicyResult holding = new Simulation(s, Policy.gangwayDefaults(60)).run();
    PolicyResult passed = new Simulation(s, Policy.gangwayDefaults(60).withHeadHoldsAfterMinutes(60)).run();

    // Mean over the two stream jobs; the 12-node one never waits.
    assertThat(holding.stream().meanWaitHours()).as("the small job waits for the large one's start, ~2 h").isGreaterThan(0.9);
    assertThat(passed.stream().meanWaitHours()).as("the small job starts at once").isLessThan(0.05);
    assertThat(passed.stream().completed()).isEqualTo(2);
    assertThat(minutes(passed, Bucket.WAITING_CAPACITY)).as("the large job waits as long either way")
        .isEqualTo(minutes(holding, Bucket.WAITING_CAPACITY)).isPositive();
  }

  static Stream<Policy> everyPolicy() {
    return Policy.compared(60, 4, true).stream();
  }

  /**
   * Many drawn faults (50x the Llama 3 rates) and a mixed stream on the small cluster: for every policy the run
   * ends (the simulation itself checks that each job's buckets sum to its elapsed time, to the millisecond), and
   * the reported hours add up to the elapsed time.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("everyPolicy")
  void everyHourOfEveryJobIsInExactlyOneBucket(Policy policy) {
    FailureProfile profile = FailureProfile.llama3(LLAMA3).scaled(50);
    for (long seed = 1; seed <= 3; seed++) {
      Scenario s = ScenarioBuilder.build(SMALL, profile, null, new ScenarioBuilder.Workload(64, Durations.minutes(5),
          Durations.minutes(2), Durations.minutes(3), 0.8, 4, 2), 10, Costs.standard(), 16, seed);
      PolicyResult r = new Simulation(s, policy).run();
      double sum = r.large().hoursByBucket().values().stream().mapToDouble(Double::doubleValue).sum();
      assertThat(sum).isCloseTo(r.large().elapsedHours(), org.assertj.core.api.Assertions.within(1e-9));
      assertThat(r.large().ettr()).isBetween(0.0, 1.0);
      assertThat(r.large().interruptions()).isPositive();
      assertThat(r.stream().submitted()).isPositive();
      assertThat(r.fleet().usefulGpuHours()).isLessThanOrEqualTo(r.fleet().allocatedGpuHours() + 1e-6);
      assertThat(r.fleet().allocatedGpuHours()).isLessThanOrEqualTo(r.fleet().gpuHours() + 1e-6);
    }
  }

  @Test
  void theSameSeedGivesTheSameRun() {
    FailureProfile profile = FailureProfile.llama3(LLAMA3).scaled(50);
    Scenario s = ScenarioBuilder.build(SMALL, profile, null, new ScenarioBuilder.Workload(64, Durations.minutes(5),
        Durations.minutes(2), Durations.minutes(3), 0.8, 4, 2), 10, Costs.standard(), 16, 42);
    for (Policy p : List.of(Policy.naive(60), Policy.gangwayTuned(60, 2))) {
      PolicyResult a = new Simulation(s, p).run();
      PolicyResult b = new Simulation(s, p).run();
      assertThat(a.large()).isEqualTo(b.large());
      assertThat(a.stream()).isEqualTo(b.stream());
      assertThat(a.events()).isEqualTo(b.events());
    }
  }
}

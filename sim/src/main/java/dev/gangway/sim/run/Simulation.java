package dev.gangway.sim.run;

import dev.gangway.api.v1alpha1.FailurePolicy;
import dev.gangway.checkpoint.CheckpointLedger;
import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.placement.PlacementQuality;
import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.recovery.BadNodeTracker;
import dev.gangway.recovery.CheckpointWait;
import dev.gangway.recovery.Classification;
import dev.gangway.recovery.Failure;
import dev.gangway.recovery.FailureClassifier;
import dev.gangway.recovery.NodeStatus;
import dev.gangway.recovery.RecoveryDefaults;
import dev.gangway.recovery.RecoveryPolicy;
import dev.gangway.recovery.RecoveryState;
import dev.gangway.recovery.RecoveryStatus;
import dev.gangway.recovery.RestartPlan;
import dev.gangway.recovery.RestartPlanner;
import dev.gangway.goodput.Bucket;
import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.clock.EventLoop;
import dev.gangway.sim.failure.Component;
import dev.gangway.sim.failure.Fault;
import dev.gangway.sim.failure.Symptom;
import dev.gangway.sim.fleet.Fleet;
import dev.gangway.sim.job.JobSpec;
import dev.gangway.sim.policy.CheckpointInterval;
import dev.gangway.sim.policy.Costs;
import dev.gangway.sim.policy.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * One policy on one scenario. Faults and job arrivals are events; between them jobs start, train,
 * checkpoint, fail and restart. Under a Gangway policy every decision is the controllers' own:
 * {@link FailureClassifier}, {@link CheckpointWait}, {@link RestartPlanner} and {@link RecoveryStatus} on
 * the job's status, {@link BadNodeTracker} across jobs, {@link CheckpointLedger} for every checkpoint
 * report, and the placement queue and engine for every start.
 */
public final class Simulation {

  /** Restart budgets of the simulated jobs' specs: large enough that the budget never ends a run. */
  static final int UNLIMITED = 1_000_000;

  private final Scenario scenario;
  private final Policy policy;
  private final Costs costs;
  private final EventLoop loop = new EventLoop();
  private final Fleet fleet;
  private final Random rnd;
  private final Placer placer;
  private final FailureClassifier classifier;
  private final BadNodeTracker tracker = new BadNodeTracker(3, Duration.ofHours(1));
  /** Jobs submitted and not done: what the end of the run settles. Done jobs leave their figures in {@link #metrics} only. */
  private final java.util.Set<SimJob> live = new java.util.LinkedHashSet<>();
  /** The large job once submitted: sampled day by day and reported whole. */
  private SimJob large;
  /** The restart policy of every job's spec (it depends on the policy compared, not on the job). */
  private final RecoveryPolicy recovery;
  /** Gangway's queue, kept in its order: jobs waiting to be placed, and restarting jobs waiting to be placed again. */
  private final java.util.NavigableSet<SimJob> waiting = new java.util.TreeSet<>(GangRequests.QUEUE_ORDER);
  private final List<List<SimJob>> onNode = new ArrayList<>();
  private final Component[] brokenBy;
  /** When each node was last flagged by the {@link #tracker}: an inspection is for the flag it was scheduled for. */
  private final long[] flaggedAt;
  /** Inspected and found broken: back in service once repaired. */
  private final boolean[] backOnRepair;
  private final Metrics metrics;
  private boolean passScheduled;
  /** Nodes of the large job per block, once it is placed: where hot spares go. */
  private int[] spareAffinity;
  private long allocatedGpuMillis;
  private long allocationChangedAt;
  private int allocatedGpus;

  public Simulation(Scenario scenario, Policy policy) {
    this(scenario, policy, Fleet.Bookkeeping.INCREMENTAL);
  }

  /** @param bookkeeping how the fleet keeps what placement reads; the decisions are the same either way */
  public Simulation(Scenario scenario, Policy policy, Fleet.Bookkeeping bookkeeping) {
    this.scenario = scenario;
    this.policy = policy;
    this.costs = scenario.costs();
    this.fleet = new Fleet(scenario.cluster(), bookkeeping);
    this.rnd = new Random(scenario.seed() ^ 0x5DEECE66DL);
    this.classifier = new FailureClassifier(Duration.ofMillis(costs.notReadyGrace()));
    this.placer = policy.topologyAware() ? new GangwayPlacer(fleet, scenario.queueWindow(),
        java.time.Duration.ofMillis(Durations.minutes(policy.headHoldsAfterMinutes()))) : new BlindPlacer(fleet, rnd);
    this.brokenBy = new Component[fleet.size()];
    this.flaggedAt = new long[fleet.size()];
    this.backOnRepair = new boolean[fleet.size()];
    this.metrics = new Metrics(scenario.jobs());
    this.recovery = recoveryPolicy();
    for (int i = 0; i < fleet.size(); i++) onNode.add(new ArrayList<>(2));
  }

  public PolicyResult run() {
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    long started = cpu.getCurrentThreadCpuTime();
    // Built as it arrives: a year's stream is 300,000 jobs, most of them done long before the end. Only the next
    // arrival waits in the event queue, in the place it would have had were all of them scheduled now.
    new Arrivals(scenario.jobs(), loop.reserve(scenario.jobs().size())).scheduleNext();
    for (Fault f : scenario.faults()) loop.at(f.time(), () -> onFault(f));
    for (long day = Durations.DAY; day <= scenario.horizon(); day += Durations.DAY) loop.at(day, this::sampleDay);
    loop.runUntil(scenario.horizon());
    finish();
    return metrics.result(policy, large, fleet, scenario, allocatedGpuMillis, loop.processed(), (cpu.getCurrentThreadCpuTime() - started) / 1e9);
  }

  private long now() {
    return loop.now();
  }

  /** The jobs in order of arrival (then of the scenario), each scheduled when the one before it arrives. */
  private final class Arrivals {
    private final List<JobSpec> specs;
    private final long firstPlace;
    private final Integer[] order;
    private int next;

    Arrivals(List<JobSpec> specs, long firstPlace) {
      this.specs = specs;
      this.firstPlace = firstPlace;
      this.order = new Integer[specs.size()];
      for (int i = 0; i < order.length; i++) order[i] = i;
      java.util.Arrays.sort(order, java.util.Comparator.comparingLong((Integer i) -> specs.get(i).submit()).thenComparingInt(i -> i));
    }

    void scheduleNext() {
      if (next == order.length) return;
      int ordinal = order[next++];
      JobSpec spec = specs.get(ordinal);
      loop.at(spec.submit(), firstPlace + ordinal, () -> {
        scheduleNext();
        submit(new SimJob(spec, recovery, ordinal));
      });
    }
  }

  /** Jobs' own restart budgets are unlimited (a pre-training run sets them so); the API's defaults are reported apart. */
  private RecoveryPolicy recoveryPolicy() {
    FailurePolicy fp = new FailurePolicy();
    fp.setMaxRestarts(UNLIMITED);
    fp.setMaxInfrastructureRestarts(UNLIMITED);
    fp.setExcludeFailedNodes(policy.excludeFailedNodes());
    fp.setCheckpointWaitSeconds(policy.checkpointWaitSeconds());
    return RecoveryPolicy.resolve(fp, RecoveryDefaults.STANDARD);
  }

  // ---- arrivals and placement ----

  private void submit(SimJob job) {
    live.add(job);
    if (job.spec.large()) large = job;
    metrics.submitted(job);
    job.phaseSince = now();
    job.enter(Phase.QUEUED, now());
    job.queuedAt = now();
    waiting.add(job);
    placementPass();
  }

  /** Several triggers at one instant make one pass. */
  private void placementPass() {
    if (passScheduled || waiting.isEmpty()) return;
    passScheduled = true;
    loop.after(0, () -> {
      passScheduled = false;
      placer.pass(waiting, Durations.instant(now()), this::startAttempt);
    });
  }

  private void startAttempt(SimJob job, int[] nodes, PlacementQuality quality) {
    waiting.remove(job);
    job.nodes = nodes;
    changeAllocation(job.spec.gpusPerRank() * nodes.length);
    for (int n : nodes) {
      fleet.allocate(n, job.spec.gpusPerRank());
      onNode.get(n).add(job);
    }
    double ratio = quality == null ? 1 : quality.allReduceVsBound();
    job.slowdown = job.spec.replicas() > 1 ? 1 + costs.commFraction() * Math.max(0, ratio - 1) : 1;
    if (quality != null) job.placements.add(quality);
    if (job.spec.large() && job.placements.size() == 1) holdSpares(job);
    metrics.placed(job, quality, now());
    begin(job);
  }

  /**
   * Hot spares: once the large job has its nodes, free nodes nearest to it (in the blocks holding most of it)
   * are tainted so that only it may use them; when it takes one, the next node that is free (a repaired one,
   * one a stream job left) tops the pool up. A platform does this today with a taint and a toleration.
   */
  private void holdSpares(SimJob job) {
    int blocks = fleet.size() / fleet.cluster().levels().get(0).nodesPerDomain() + 1;
    spareAffinity = new int[blocks];
    for (int n : job.nodes) spareAffinity[fleet.cluster().blockOf(n)]++;
    topUpSpares();
  }

  private void topUpSpares() {
    if (spareAffinity == null) return;
    int idle = 0;
    for (int i = 0; i < fleet.size(); i++) if (fleet.spare(i) && fleet.usedGpus(i) == 0) idle++;
    if (idle >= policy.hotSpares()) return;
    List<Integer> free = new ArrayList<>();
    for (int i = 0; i < fleet.size(); i++) {
      if (!fleet.spare(i) && fleet.usedGpus(i) == 0 && fleet.usable(i, false)) free.add(i);
    }
    free.sort(java.util.Comparator.comparingInt((Integer i) -> -spareAffinity[fleet.cluster().blockOf(i)]).thenComparingInt(i -> i));
    for (int k = 0; k < policy.hotSpares() - idle && k < free.size(); k++) fleet.setSpare(free.get(k), true);
  }

  /** A new attempt on the job's nodes: start-up, checkpoint load, then training. */
  private void begin(SimJob job) {
    job.status.setAttempt(job.attempt() + 1);
    job.sinceCheckpoint = 0;
    int token = job.enter(Phase.STARTING, now());
    long startup = job.spec.startup() + (job.hasCheckpoint ? job.spec.checkpointLoad() : 0);
    loop.after(startup, () -> {
      if (job.token != token) return;
      metrics.resumed(job, now());
      run(job, job.enter(Phase.RUNNING, now()));
    });
    // A node that is broken but looks fine (no health signal, not NotReady) fails the new attempt as it starts.
    int attempt = job.attempt();
    for (int n : job.nodes) {
      if (fleet.broken(n, now()) && brokenBy[n] != null) {
        Fault again = new Fault(now() + Durations.MINUTE, n, brokenBy[n], 0);
        loop.after(Durations.MINUTE, () -> {
          if (job.attempt() == attempt && job.phase.active()) fail(job, again);
        });
        break;
      }
    }
  }

  // ---- training and checkpoints ----

  private void run(SimJob job, int token) {
    long untilCheckpoint = Math.max(0, intervalMillis(job) - job.sinceCheckpoint);
    if (!job.spec.runsToHorizon()) {
      long remaining = Math.max(0, job.spec.work() - job.progress());
      long toFinish = (long) Math.ceil(remaining * job.slowdown);
      if (toFinish <= untilCheckpoint) {
        loop.after(toFinish, () -> {
          if (job.token == token) complete(job);
        });
        return;
      }
    }
    loop.after(untilCheckpoint, () -> {
      if (job.token == token) startCheckpoint(job);
    });
  }

  long intervalMillis(SimJob job) {
    if (!policy.dalyInterval()) return Durations.minutes(policy.fixedIntervalMinutes());
    double mtbf = job.interruptions >= 3 ? (double) job.runningMillis / job.interruptions
        : Durations.HOUR / (scenario.failuresPerGpuHour() * job.spec.gpus());
    long tau = Math.round(CheckpointInterval.daly(job.spec.checkpointWrite(), mtbf));
    return Math.max(job.spec.checkpointWrite(), tau);
  }

  private void startCheckpoint(SimJob job) {
    int token = job.enter(Phase.CHECKPOINTING, now());
    metrics.interval(job, job.sinceCheckpoint);
    job.checkpointCovers = job.ledger.pending();
    loop.after(job.spec.checkpointWrite(), () -> {
      if (job.token == token) endCheckpoint(job);
    });
  }

  private void endCheckpoint(SimJob job) {
    int token = job.enter(Phase.RUNNING, now());
    long step = job.ledger.get(Bucket.USEFUL) + job.checkpointCovers;
    String[] ns = job.spec.key().split("/", 2);
    CheckpointReport report = new CheckpointReport(ns[0], ns[1], job.uid, job.attempt(), step, "/ckpt/step-" + step,
        Durations.instant(now()));
    CheckpointLedger.Verdict v = CheckpointLedger.judge(report, job.uid, job.attempt(), job.status.getLastCheckpoint());
    if (v instanceof CheckpointLedger.Accepted a) {
      job.status.setLastCheckpoint(a.lastCheckpoint());
      job.ledger.keep();
      job.hasCheckpoint = true;
    }
    job.sinceCheckpoint = 0;
    run(job, token);
  }

  private void complete(SimJob job) {
    job.enter(Phase.DONE, now());
    job.ledger.keep();
    job.end = now();
    done(job);
    release(job);
    placementPass();
  }

  // ---- faults ----

  private void onFault(Fault f) {
    int n = f.node();
    List<SimJob> hit = new ArrayList<>();
    if (f.component().nodeFault()) {
      fleet.breakUntil(n, now() + f.repairMillis());
      brokenBy[n] = f.component();
      long until = fleet.brokenUntil(n);
      loop.at(until, () -> repaired(n));
      if (f.component().symptom() == Symptom.NODE_DOWN) fleet.setNotReady(n, true);
      // A GPU that reports a critical XID is marked unhealthy by the device plugin in every policy.
      if (f.component().healthSignal() && "GPU".equals(f.component().category())) fleet.setGpuLost(n, true);
      if (policy.healthSignals() && f.component().healthSignal()) {
        loop.after(costs.healthSignal(), () -> {
          if (fleet.broken(n, now())) fleet.setTainted(n, true);
        });
      }
      for (SimJob j : onNode.get(n)) if (j.phase.active()) hit.add(j);
    } else {
      // A software fault lands on one GPU; it matters only if a job runs there.
      int gpu = rnd.nextInt(fleet.gpusPerNode());
      int seen = 0;
      for (SimJob j : onNode.get(n)) {
        seen += j.spec.gpusPerRank();
        if (gpu < seen) {
          if (j.phase.active()) hit.add(j);
          break;
        }
      }
    }
    for (SimJob j : hit) fail(j, f);
  }

  private void fail(SimJob job, Fault f) {
    int token = job.enter(Phase.BROKEN, now());
    job.ledger.lose();
    job.fault = f;
    job.faultAt = now();
    job.interruptions++;
    metrics.interrupted(job, f, now());
    loop.after(detectionDelay(f.component()), () -> {
      if (job.token == token) detected(job);
    });
  }

  long detectionDelay(Component c) {
    if (policy.collectiveTimeoutOnly()) return costs.collectiveTimeout();
    boolean health = policy.healthSignals() && c.healthSignal();
    return switch (c.symptom()) {
      case EXIT -> costs.exitSeen();
      case HANG -> health ? costs.healthSignal() : costs.collectiveTimeout() + costs.exitSeen();
      case NODE_DOWN -> costs.nodeMonitorGrace() + costs.notReadyGrace();
    };
  }

  private void detected(SimJob job) {
    if (policy.gangwayRecovery()) {
      decide(job);
    } else {
      restartInPlace(job);
    }
  }

  /** What the rank's failure looks like to Gangway when it acts: the pod's exit, or its node's state. */
  private Failure failureSeen(SimJob job) {
    Fault f = job.fault;
    Component c = f.component();
    String node = fleet.name(f.node());
    int rank = Math.max(0, indexOf(job.nodes, f.node()));
    String pod = job.spec.key().replace('/', '-') + "-r" + rank + "-a" + job.attempt();
    Instant now = Durations.instant(now());
    boolean health = policy.healthSignals() && c.healthSignal();
    Instant signalled = Durations.instant(job.faultAt + costs.healthSignal());
    if (c.symptom() == Symptom.NODE_DOWN) {
      return Failure.onNode(rank, pod, NodeStatus.notReady(node, Durations.instant(job.faultAt + costs.nodeMonitorGrace())), now);
    }
    if (c.symptom() == Symptom.HANG && health) {
      // The ranks still run (hung): Gangway acts on the signal, not on an exit.
      return Failure.onNode(rank, pod, NodeStatus.unhealthy(node, c.healthReason(), signalled), now);
    }
    NodeStatus ns = health ? NodeStatus.unhealthy(node, c.healthReason(), signalled) : NodeStatus.ready(node);
    // A hang without a signal ends when NCCL's watchdog aborts the ranks; the faulty node's rank is taken to report first.
    int exit = c.symptom() == Symptom.HANG ? 134 : 1;
    return new Failure(rank, pod, ns, exit, "Error", Set.of(), Durations.instant(job.faultAt), null);
  }

  private void decide(SimJob job) {
    Instant now = Durations.instant(now());
    Failure failure = failureSeen(job);
    Classification c = classifier.classify(failure, List.of(), now);
    if (c.action() == dev.gangway.api.v1alpha1.FailureAction.Ignore && c.recheckAt() != null) {
      int token = job.token;
      loop.at(Durations.millis(c.recheckAt()), () -> {
        if (job.token == token) decide(job);
      });
      return;
    }
    RecoveryState state = RecoveryState.of(job.status);
    boolean gangRunning = failure.exitCode() == null && job.fault.component().symptom() == Symptom.HANG;
    Optional<Instant> hold = CheckpointWait.holdUntil(c, gangRunning, Duration.ofSeconds(policy.checkpointWaitSeconds()),
        state.lastCheckpointTime(), now);
    if (hold.isPresent()) {
      // A hung gang writes no checkpoint: the wait runs to its deadline.
      int token = job.token;
      loop.at(Durations.millis(hold.get()), () -> {
        if (job.token == token) decide(job);
      });
      return;
    }
    RestartPlan decision = RestartPlanner.plan(state, c, job.recovery, now);
    if (tracker.record(c, job.uid)) flagged(job.fault.node());
    int token = job.enter(Phase.RECOVERING, now());
    if (decision instanceof RestartPlan.Restart restart) {
      RecoveryStatus.recordRestart(job.status, restart);
      metrics.restarted(job, c.cause().name(), now());
      // Gangway looks again when an exclusion ends (the job's wake-up): the node may be what the job lacked.
      for (NodeExclusion e : restart.exclusions()) {
        long ends = Durations.millis(Instant.parse(e.getUntil()));
        if (ends > now()) loop.at(ends, this::placementPass);
      }
      long at = Math.max(now() + costs.teardown(), Durations.millis(restart.notBefore()));
      // A Restarting job is in Gangway's queue from the decision on: it holds capacity as the head while it
      // is torn down and backs off, though it is placed only once the backoff has passed.
      waiting.add(job);
      loop.after(costs.teardown(), () -> release(job));
      loop.at(at, () -> {
        if (job.token != token) return;
        job.status.setNextRestartTime(null);
        job.enter(Phase.QUEUED, now());
        job.queuedAt = now();
        placementPass();
      });
    } else {
      job.failed = true;
      job.enter(Phase.DONE, now());
      job.end = now();
      done(job);
      loop.after(costs.teardown(), () -> release(job));
    }
  }

  /** Restart in place: kill the processes, wait until every node of the job is repaired, start on the same nodes. */
  private void restartInPlace(SimJob job) {
    metrics.restarted(job, "InPlace (" + job.fault.component().symptom().name().toLowerCase(java.util.Locale.ROOT) + ")", now());
    int token = job.enter(Phase.RECOVERING, now());
    loop.after(costs.teardown(), () -> {
      if (job.token != token) return;
      job.enter(Phase.WAITING_REPAIR, now());
      resumeIfRepaired(job);
    });
  }

  private void resumeIfRepaired(SimJob job) {
    if (job.phase != Phase.WAITING_REPAIR) return;
    for (int n : job.nodes) if (fleet.broken(n, now())) return;
    begin(job);
  }

  private void repaired(int n) {
    if (fleet.broken(n, now())) return; // broken again meanwhile; a later event repairs it
    brokenBy[n] = null;
    fleet.setNotReady(n, false);
    fleet.setTainted(n, false);
    fleet.setGpuLost(n, false);
    // The health agent's Cleared signal, or the repair that an inspection of a flagged node was waiting for.
    if (policy.healthSignals() || backOnRepair[n]) backInService(n);
    for (SimJob j : new ArrayList<>(onNode.get(n))) resumeIfRepaired(j);
    // Gangway checks an Unschedulable job again every 5 s: a repaired node may be what it lacked.
    for (SimJob j : waiting) j.unschedulable = false;
    topUpSpares();
    placementPass();
  }

  /**
   * Gangway flagged the node (several jobs failed there) and cordons it. A fleet's repair loop — an administrator reading
   * the BadNode Event, or a remediation controller running diagnostics — inspects it after {@link Costs#inspection} and
   * sends Gangway's Cleared signal (the operator's path: {@code POST /api/v1/node-health}): at once if the node is sound,
   * else once its repair ends (the fault's own repair time, from the failure model).
   */
  private void flagged(int n) {
    fleet.setCordoned(n, true);
    if (!costs.inspects()) return;
    long at = now();
    flaggedAt[n] = at;
    loop.after(costs.inspection(), () -> {
      if (flaggedAt[n] != at || !fleet.cordoned(n)) return; // cleared meanwhile (a health agent's signal), or flagged again
      if (fleet.broken(n, now())) {
        backOnRepair[n] = true;
      } else {
        backInService(n);
        placementPass();
      }
    });
  }

  /** What Gangway does on a Cleared signal: forgets the node's failures and uncordons it. */
  private void backInService(int n) {
    tracker.clear(fleet.name(n));
    fleet.setCordoned(n, false);
    backOnRepair[n] = false;
    for (SimJob j : waiting) j.unschedulable = false;
  }

  private void release(SimJob job) {
    if (job.nodes.length == 0) return;
    changeAllocation(-job.spec.gpusPerRank() * job.nodes.length);
    for (int n : job.nodes) {
      fleet.release(n, job.spec.gpusPerRank());
      onNode.get(n).remove(job);
    }
    job.nodes = new int[0];
    topUpSpares();
    placementPass();
  }

  private void changeAllocation(int deltaGpus) {
    allocatedGpuMillis += (long) allocatedGpus * (now() - allocationChangedAt);
    allocationChangedAt = now();
    allocatedGpus += deltaGpus;
  }

  // ---- sampling and the end ----

  private void sampleDay() {
    metrics.queue(waiting, fleet, now());
    if (large != null && large.phase != Phase.DONE) {
      large.settle(now());
      metrics.day(large);
    }
  }

  /** A job's time is all charged once it is done: its figures go to the metrics and the job leaves the run's memory. */
  private void done(SimJob job) {
    live.remove(job);
    conserved(job);
    metrics.ended(job);
  }

  /** Conservation: every millisecond from submission to the end is in exactly one bucket. */
  private static void conserved(SimJob j) {
    if (j.ledger.total() != j.end - j.spec.submit() || j.ledger.pending() != 0) {
      throw new IllegalStateException(j.spec.key() + ": ledger holds " + j.ledger.total() + " ms, elapsed " + (j.end - j.spec.submit())
          + " ms (" + j.ledger.asMap() + ", pending " + j.ledger.pending() + ")");
    }
  }

  private void finish() {
    changeAllocation(0);
    for (SimJob j : live) {
      j.settle(now());
      // Work in progress at the horizon is not lost: the next checkpoint keeps it.
      j.ledger.keep();
      j.end = now();
      conserved(j);
      metrics.ended(j);
    }
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
    return -1;
  }
}

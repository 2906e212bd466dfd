package dev.gangway.e2e.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gangway.e2e.Command;
import dev.gangway.e2e.Intake;
import dev.gangway.e2e.LocalCluster;
import dev.gangway.e2e.NodeReplacement;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Drives a {@link ChaosPlan} on a real cluster: two operator replicas behind one Lease, the jobs
 * applied as they arrive, each fault bound to a target when it is due and undone after its hold,
 * check-ins POSTed to either replica, and every ~2 s one consistent snapshot of jobs, pods and
 * nodes judged by the {@link InvariantChecker}. At the end each job is held to its
 * {@link Expectation} and the audit log to {@link LeaderWriteCheck}.
 *
 * <p>A fault hits only what is in a state to take it without blurring the expectation: a rank or
 * node fault only jobs that are Running with nothing else under way, so each restart is counted
 * once; a replica kill only when both replicas are up. A due fault with no such target is skipped
 * and counted as skipped. The schedule is fixed by the seed; which object a fault hits depends on
 * the cluster's state at that instant, so two runs of one seed hit similar, not identical, targets.
 */
public final class ChaosRun {
  public static final String NAMESPACE = "chaos";
  private static final Duration TICK = Duration.ofSeconds(2);
  private static final Duration CHECK_IN_EVERY = Duration.ofSeconds(3);
  /**
   * The settle time counts from the later of the last fault and the last moment no live replica
   * held the Lease (nobody could act), but the run ends at the latest this many settle times after
   * the last fault.
   */
  private static final int SETTLE_CAP = 3;
  /**
   * How long a due fault waits for a target in a state to take it before it is skipped: a few
   * snapshots, which take 6-9 s each at 128 nodes on a loaded machine.
   */
  private static final Duration FAULT_PATIENCE = Duration.ofSeconds(30);
  /**
   * The same for a replica kill, which needs both replicas up: a replica takes 30-140 s to start on a
   * loaded machine, and a shorter wait skipped every follower kill of three runs.
   */
  private static final Duration REPLICA_FAULT_PATIENCE = Duration.ofSeconds(90);
  /** A node fault whose jobs have not moved on by then is put back anyway (and the verdict will say they did not). */
  private static final Duration MAX_NODE_FAULT = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private final LocalCluster cluster;
  private final ChaosPlan plan;
  private final Replicas replicas;
  private final ChaosReport report;
  private final Random checkInRandom;
  private final Map<String, JobTrack> jobs = new LinkedHashMap<>();
  private final List<DeletedJob> deleted = new ArrayList<>();
  private final List<CheckIn> checkIns = new ArrayList<>();
  private final FaultUndoer undoer = new FaultUndoer(this::log);
  /** Read by the tick loop, changed by the undoer's thread. */
  private final Set<String> nodesUnderFault = ConcurrentHashMap.newKeySet();
  /** Every node fault applied, with when it was undone once it was (written by the undo threads too). */
  private final List<UnseenHits.NodeFault> nodeFaults = Collections.synchronizedList(new ArrayList<>());
  /**
   * Faults that are due and still look for a target, each with its own patience: one fault without
   * a target must not hold back those behind it (a queue in plan order left a third of a full run's
   * faults untried when the run ended).
   */
  private final List<Fault> pendingFaults = new ArrayList<>();
  /** Each kube-apiserver restart of the run, to tell the takeovers it held up from the others. */
  private final List<Takeovers.Downtime> apiServerDowntimes = new ArrayList<>();
  private Instant start;
  private int nextFault;
  private Instant nextCheckIn = Instant.MIN;
  private long step;
  private Instant killedAt;
  private String killedIdentity;
  /** The last tick at which no live replica held the Lease, or the API server did not answer; null if never. */
  private Instant leaderlessAt;
  private Instant previousTick;

  private ChaosRun(LocalCluster cluster, ChaosPlan plan, Replicas replicas) {
    this.cluster = cluster;
    this.plan = plan;
    this.replicas = replicas;
    this.report = new ChaosReport(plan);
    this.checkInRandom = new Random(plan.seed() + 1);
    plan.jobs().forEach(j -> jobs.put(j.name(), new JobTrack(j)));
  }

  /**
   * Runs the plan on {@code cluster} (nodes as in the plan's profile, CRDs installed, started with
   * {@code --audit-log}) with two replicas on HTTP ports {@code firstPort} and {@code firstPort + 1}.
   */
  public static ChaosReport run(LocalCluster cluster, ChaosPlan plan, Path repo, int firstPort) {
    prepare(cluster);
    try (Replicas replicas = new Replicas(repo, cluster, firstPort,
        Map.of("gangway.recovery.node-not-ready-grace-seconds", Long.toString(plan.profile().nodeNotReadyGrace().toSeconds())))) {
      replicas.startAll();
      ChaosRun run = new ChaosRun(cluster, plan, replicas);
      try (FaultUndoer undoer = run.undoer) {
        run.awaitLeader();
        run.loop();
        run.finish();
      }
      return run.report;
    }
  }

  private static void prepare(LocalCluster cluster) {
    for (String ns : List.of(NAMESPACE, Replicas.LEASE_NAMESPACE)) {
      if (cluster.kubectl("get", "namespace", ns).exitCode() != 0) {
        cluster.kubectlOk("create", "namespace", ns);
      }
    }
    cluster.kubectlOk("apply", "-f", cluster.topology().toString());
    cluster.kubectlWithInput("""
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: {name: %s}
        value: 1000
        ---
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: {name: %s}
        value: 10
        """.formatted(ChaosPlanner.HIGH, ChaosPlanner.LOW), "apply", "-f", "-").assertOk();
  }

  private void awaitLeader() {
    Instant deadline = Instant.now().plusSeconds(90);
    while (Replicas.ofIdentity(leaseHolder().path("holderIdentity").asText(null)) == null) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("no replica took the Lease within 90 s; see " + cluster.logs());
      }
      Replicas.sleep(Duration.ofSeconds(1));
    }
  }

  private void loop() {
    start = Instant.now();
    ChaosProfile p = plan.profile();
    Instant faultEnd = start.plus(p.faultWindow());
    Instant quietFrom = faultEnd.isAfter(start.plus(p.arrivals())) ? faultEnd : start.plus(p.arrivals());
    Instant cap = quietFrom.plus(p.settle().multipliedBy(SETTLE_CAP));
    log("started at %s: %d jobs, %d faults over %d s, settle %d s", start, plan.jobs().size(), plan.faults().size(),
        p.faultWindow().toSeconds(), p.settle().toSeconds());
    while (true) {
      Instant tick = Instant.now();
      Snapshot s = snapshot();
      JsonNode lease = leaseHolder();
      if (s == null || !liveLeader(lease)) {
        report.leaderless(previousTick == null ? TICK : Duration.between(previousTick, tick), s != null);
        leaderlessAt = tick;
      }
      previousTick = tick;
      if (s != null) {
        report.violations(InvariantChecker.STANDARD.check(s, deleted, checkIns));
        observe(s);
      }
      arrivals(tick);
      deletions(tick, s);
      if (s != null) {
        finishes(s, tick, quietFrom);
        while (nextFault < plan.faults().size() && !start.plus(plan.faults().get(nextFault).at()).isAfter(Instant.now())) {
          pendingFaults.add(plan.faults().get(nextFault++));
        }
        injectPending(s);
        if (tick.isBefore(faultEnd)) {
          checkIn(s, tick);
        }
      }
      watchTakeover(lease);
      replicas.restartExited().forEach(n -> {
        report.replicaExited();
        log("replica %s exited by itself: starting it again", n);
      });
      if (tick.isAfter(quietFrom) && undoer.idle() && s != null && allSettled(s)) {
        log("every job in its expected state %d s after the start", Duration.between(start, tick).toSeconds());
        break;
      }
      Instant giveUp = leaderlessAt != null && leaderlessAt.isAfter(quietFrom) ? leaderlessAt.plus(p.settle()) : quietFrom.plus(p.settle());
      if (tick.isAfter(giveUp) || tick.isAfter(cap)) {
        log("settle time over%s: judging the jobs as they are", tick.isAfter(cap) ? " (cap)" : "");
        break;
      }
      Replicas.sleep(TICK.minus(Duration.between(tick, Instant.now())).isNegative() ? Duration.ZERO
          : TICK.minus(Duration.between(tick, Instant.now())));
    }
  }

  private void finish() {
    pendingFaults.forEach(f -> report.skipped(f.kind()));
    plan.faults().subList(nextFault, plan.faults().size()).forEach(f -> report.skipped(f.kind()));
    undoer.undoAllNow();
    Snapshot last = null;
    for (int i = 0; i < 30 && last == null; i++) {
      last = snapshot();
      if (last == null) {
        Replicas.sleep(Duration.ofSeconds(2));
      }
    }
    if (last == null) {
      throw new AssertionError("the API server did not answer at the end of the run; see " + cluster.logs());
    }
    report.violations(InvariantChecker.STANDARD.check(last, deleted, checkIns));
    Map<String, List<UnseenHits.RestartEntry>> histories = restartHistories();
    Duration detection = plan.profile().nodeNotReadyGrace().plus(Duration.ofMinutes(1));
    for (JobTrack t : jobs.values()) {
      List<UnseenHits.RestartEntry> history = histories.getOrDefault(t.plan.name(), List.of());
      for (UnseenHits.Unseen u : UnseenHits.of(history, List.copyOf(nodeFaults), Set.copyOf(t.hitTimes), detection)) {
        UnseenHits.NodeFault f = u.fault();
        // A blip that explains a restart was seen by the operator as a NotReady node.
        t.unseen(f.kind() == FaultKind.NODE_NOT_READY_BLIP ? FaultKind.NODE_NOT_READY : f.kind(), f.from(), u.attempt());
        log("%s: %s on %s at %s hit attempt %d unseen (placed there as the fault struck): counted", t.plan.name(), f.kind(), f.node(),
            f.from(), u.attempt());
      }
      t.absorbed(history.stream().filter(h -> UnseenHits.INFRASTRUCTURE_CAUSES.contains(h.cause()))
          .map(UnseenHits.RestartEntry::attempt).collect(Collectors.toSet()));
    }
    for (JobTrack t : jobs.values()) {
      Expectation e = t.expectation();
      Snapshot.JobFact f = last.job(NAMESPACE, t.plan.name());
      report.outcome(t.plan.describe(), e, f == null ? "gone" : f.phase() + " attempt " + f.attempt() + " restarts " + f.restarts() + "+"
          + f.infrastructureRestarts() + " Placed=" + f.placed() + " hits=" + t.hits
          + (t.overran.isEmpty() ? "" : " overran blips at " + t.overran) + describe(histories.getOrDefault(t.plan.name(), List.of())));
      report.violations(OutcomeCheck.check(last, NAMESPACE, t.plan, t.acceptable()));
    }
    List<AuditEvent> audit = AuditEvent.read(cluster.auditLog()).stream().filter(e -> !e.received().isBefore(start)).toList();
    Set<String> users = Replicas.NAMES.stream().map(Replicas::apiUser).collect(Collectors.toSet());
    report.violations(LeaderWriteCheck.check(audit, users, Replicas.LEASE_NAMESPACE, Replicas.LEASE_NAME));
    report.orphanDeletes(OrphanDeletes.count(audit, users, deleted));
  }

  /** Each job's status.restartHistory, so a restart can be explained (or not) by the faults of the run. */
  private Map<String, List<UnseenHits.RestartEntry>> restartHistories() {
    Command.Result r = cluster.kubectl("get", "trainingjobs.gangway.dev", "-n", NAMESPACE, "-o", "json");
    Map<String, List<UnseenHits.RestartEntry>> byJob = new LinkedHashMap<>();
    try {
      for (JsonNode job : r.exitCode() == 0 ? JSON.readTree(r.stdout()).path("items") : JSON.createArrayNode()) {
        List<UnseenHits.RestartEntry> entries = new ArrayList<>();
        for (JsonNode h : job.path("status").path("restartHistory")) {
          entries.add(new UnseenHits.RestartEntry(h.path("attempt").asInt(), h.path("cause").asText(null), h.path("node").asText(null),
              instant(h.hasNonNull("detectedTime") ? h.path("detectedTime") : h.path("time"))));
        }
        byJob.put(job.path("metadata").path("name").asText(), entries);
      }
    } catch (IOException | java.time.format.DateTimeParseException e) {
      log("could not read the restart histories: %s", e);
    }
    return byJob;
  }

  private static Instant instant(JsonNode rfc3339) {
    return rfc3339.isTextual() ? Instant.parse(rfc3339.asText()) : null;
  }

  /** A restart history in one line of the report, so a miscount can be chased from the report alone. */
  private static String describe(List<UnseenHits.RestartEntry> history) {
    return history.isEmpty() ? "" : history.stream().map(h -> "a" + h.attempt() + " " + h.cause() + "@" + h.node() + " detected " + h.time())
        .collect(Collectors.joining(", ", " history=[", "]"));
  }

  // --- observing -----------------------------------------------------------------------------------

  private Snapshot snapshot() {
    Snapshot s = SnapshotReader.take(cluster).orElse(null);
    report.snapshot(s != null);
    return s;
  }

  private void observe(Snapshot s) {
    for (JobTrack t : jobs.values()) {
      Snapshot.JobFact f = s.job(NAMESPACE, t.plan.name());
      if (f == null || t.state == JobTrack.State.DELETED) {
        continue;
      }
      t.uid = f.uid();
      boolean running = "Running".equals(f.phase());
      if (t.state == JobTrack.State.SUBMITTED && running) {
        t.state = JobTrack.State.RUNNING;
        t.runningSince = s.at();
        report.firstStart(Duration.between(t.appliedAt, s.at()));
      } else if (t.state == JobTrack.State.RECOVERING && running && f.attempt() > t.injectedAttempt) {
        t.state = JobTrack.State.RUNNING;
        report.recovery(t.recovering, Duration.between(t.injectedAt, s.at()));
      }
    }
  }

  /**
   * Running with every rank of its current attempt running, and nothing the run did still under way,
   * not even on a node it runs on (a rank exiting 137 on a node still NotReady is a node failure).
   */
  private boolean idle(JobTrack t, Snapshot s) {
    Snapshot.JobFact f = s.job(NAMESPACE, t.plan.name());
    if (t.state != JobTrack.State.RUNNING || f == null || !"Running".equals(f.phase())) {
      return false;
    }
    List<Snapshot.PodFact> ranks = currentPods(s, f).stream().filter(p -> p.live() && p.running()).toList();
    return ranks.size() == t.plan.ranks() && ranks.stream().noneMatch(p -> nodesUnderFault.contains(p.nodeName()));
  }

  private static List<Snapshot.PodFact> currentPods(Snapshot s, Snapshot.JobFact f) {
    return s.pods().stream().filter(p -> p.namespace().equals(NAMESPACE) && p.job().equals(f.name()) && p.attempt() == f.attempt())
        .sorted(Comparator.comparingInt(Snapshot.PodFact::rank)).toList();
  }

  private boolean allSettled(Snapshot s) {
    return jobs.values().stream().allMatch(t -> {
      Snapshot.JobFact f = s.job(NAMESPACE, t.plan.name());
      return t.acceptable().stream().anyMatch(e -> switch (e.outcome()) {
        case DELETED -> f == null;
        case UNSCHEDULABLE -> f != null && "False/Unschedulable".equals(f.placed());
        case SUCCEEDED -> f != null && "Succeeded".equals(f.phase());
        case FAILED -> f != null && "Failed".equals(f.phase());
      });
    });
  }

  // --- the workload ------------------------------------------------------------------------------

  private void arrivals(Instant now) {
    for (JobTrack t : jobs.values()) {
      if (t.state == JobTrack.State.WAITING && !start.plus(t.plan.arrival()).isAfter(now)) {
        Command.Result r = cluster.kubectlWithInput(t.plan.manifest(), "apply", "-n", NAMESPACE, "-f", "-");
        if (r.exitCode() == 0) {
          t.appliedAt = Instant.now();
          t.state = t.plan.fits() ? JobTrack.State.SUBMITTED : JobTrack.State.SETTLED;
        } // else the API server is away: next tick
      }
    }
  }

  private void deletions(Instant now, Snapshot s) {
    for (JobTrack t : jobs.values()) {
      if (t.plan.deleteAfter() == null || t.appliedAt == null || t.state == JobTrack.State.DELETED
          || now.isBefore(t.appliedAt.plus(t.plan.deleteAfter()))) {
        continue;
      }
      String uid = t.uid != null ? t.uid
          : cluster.kubectl("get", "tj", t.plan.name(), "-n", NAMESPACE, "-o", "jsonpath={.metadata.uid}").stdout().strip();
      if (uid.isEmpty()) {
        continue;
      }
      if (cluster.kubectl("delete", "tj", t.plan.name(), "-n", NAMESPACE, "--wait=false").exitCode() == 0) {
        deleted.add(new DeletedJob(NAMESPACE, t.plan.name(), uid, Instant.now()));
        t.state = JobTrack.State.DELETED;
      }
    }
  }

  /**
   * Tells each idle job that has run its planned time to succeed; once no fault is left to come
   * ({@code quietFrom}), every idle job at once: running on would only test the run's patience.
   */
  private void finishes(Snapshot s, Instant now, Instant quietFrom) {
    for (JobTrack t : jobs.values()) {
      Instant due = t.runningSince == null ? null : t.runningSince.plus(t.plan.runFor());
      if (due == null || (now.isBefore(due) && now.isBefore(quietFrom)) || !idle(t, s)) {
        continue;
      }
      Snapshot.JobFact f = s.job(NAMESPACE, t.plan.name());
      if (cluster.kubectl("annotate", "pods", "-n", NAMESPACE, "-l", "gangway.dev/job-name=" + f.name() + ",gangway.dev/attempt="
          + f.attempt(), "gangway.dev/e2e-succeed-after=1s", "--overwrite").exitCode() == 0) {
        t.state = JobTrack.State.FINISHING;
      }
    }
  }

  private void checkIn(Snapshot s, Instant now) {
    if (now.isBefore(nextCheckIn)) {
      return;
    }
    nextCheckIn = now.plus(CHECK_IN_EVERY);
    List<JobTrack> running = jobs.values().stream().filter(t -> idle(t, s)).toList();
    List<String> up = Replicas.NAMES.stream().filter(replicas::alive).toList();
    if (running.isEmpty() || up.isEmpty()) {
      return;
    }
    JobTrack t = running.get(checkInRandom.nextInt(running.size()));
    String replica = up.get(checkInRandom.nextInt(up.size()));
    Snapshot.JobFact f = s.job(NAMESPACE, t.plan.name());
    step += 10;
    ObjectNode body = JSON.createObjectNode().put("namespace", NAMESPACE).put("name", f.name()).put("uid", f.uid())
        .put("attempt", f.attempt()).put("step", step).put("path", "/ckpt/" + f.name() + "/step-" + step).put("time", now.toString());
    int code = post(replica, "/api/v1/checkpoints", body, () -> Intake.rankToken(cluster, NAMESPACE, f.name()));
    if (code >= 200 && code < 300) {
      checkIns.add(new CheckIn(NAMESPACE, f.name(), f.uid(), f.attempt(), step, Instant.now(), replica));
      report.checkInAcknowledged();
    }
  }

  // --- faults --------------------------------------------------------------------------------------

  /**
   * Tries every pending fault on this tick's snapshot; drops those applied and those past their
   * patience (counted as skipped; in a profile whose faults wait for targets, not before the fault
   * window ends). A node fault reads a fresh snapshot, so after one finds no node
   * the others wait for the next tick; a control-plane restart takes seconds, so after one the rest
   * wait for a fresh snapshot.
   */
  private void injectPending(Snapshot s) {
    boolean nodeMissed = false;
    for (Iterator<Fault> it = pendingFaults.iterator(); it.hasNext();) {
      Fault fault = it.next();
      if (nodeMissed && fault.kind().target() == FaultKind.Target.NODE) {
        continue;
      }
      Duration patience = fault.kind().target() == FaultKind.Target.REPLICA ? REPLICA_FAULT_PATIENCE : FAULT_PATIENCE;
      Instant giveUp = start.plus(fault.at()).plus(patience);
      if (plan.profile().faultsWaitForTargets() && giveUp.isBefore(start.plus(plan.profile().faultWindow()))) {
        giveUp = start.plus(plan.profile().faultWindow());
      }
      boolean applied = inject(fault, s);
      if (applied) {
        report.applied(fault.kind());
        it.remove();
      } else if (Instant.now().isAfter(giveUp)) {
        report.skipped(fault.kind());
        it.remove();
      }
      nodeMissed |= !applied && fault.kind().target() == FaultKind.Target.NODE;
      if (applied && fault.kind().target() == FaultKind.Target.CONTROL_PLANE) {
        return;
      }
    }
  }

  /** @return whether the fault found a target in a state to take it, and hit it */
  private boolean inject(Fault fault, Snapshot s) {
    return switch (fault.kind().target()) {
      case RANK -> rankFault(fault, s);
      case NODE -> nodeFault(fault, s);
      case REPLICA -> replicaFault(fault);
      case CONTROL_PLANE -> controlPlaneFault(fault);
    };
  }

  private boolean rankFault(Fault fault, Snapshot s) {
    List<JobTrack> candidates = jobs.values().stream().filter(t -> idle(t, s)).toList();
    if (candidates.isEmpty()) {
      return false;
    }
    JobTrack t = candidates.get(fault.choose(candidates.size()));
    Snapshot.JobFact f = s.job(NAMESPACE, t.plan.name());
    List<Snapshot.PodFact> pods = currentPods(s, f);
    Snapshot.PodFact pod = pods.get((fault.pick() / 7) % pods.size());
    List<String> args = new ArrayList<>(List.of("annotate", "pod", pod.name(), "-n", NAMESPACE, "--overwrite"));
    switch (fault.kind()) {
      case RETRYABLE_EXIT -> args.add("gangway.dev/e2e-exit-code=1");
      case PERMANENT_EXIT -> args.add("gangway.dev/e2e-exit-code=127");
      default -> args.addAll(List.of("gangway.dev/e2e-exit-code=137", "gangway.dev/e2e-reason=OOMKilled"));
    }
    if (cluster.kubectl(args.toArray(String[]::new)).exitCode() != 0) {
      return false;
    }
    t.hit(fault.kind(), Instant.now(), f.attempt());
    log("%s: %s rank %d attempt %d", fault.kind(), f.name(), pod.rank(), f.attempt());
    return true;
  }

  /**
   * A node fault hits every job with a pod bound <em>or reserved</em> there, so it is aimed only at a
   * node whose pods all belong to idle jobs, judged on a snapshot read just before: a gang placed
   * on the node since the tick's snapshot would be restarted without the run counting the hit.
   */
  private boolean nodeFault(Fault fault, Snapshot tickSnapshot) {
    Snapshot fresh = snapshot();
    Snapshot s = fresh != null ? fresh : tickSnapshot;
    Map<String, List<Snapshot.PodFact>> byNode = s.pods().stream().filter(p -> p.live() && p.node() != null)
        .collect(Collectors.groupingBy(Snapshot.PodFact::node));
    List<String> candidates = s.nodes().stream().filter(n -> n.ready() && !nodesUnderFault.contains(n.name())).map(Snapshot.NodeFact::name)
        .filter(n -> byNode.containsKey(n) && byNode.get(n).stream().allMatch(p -> p.namespace().equals(NAMESPACE)
            && jobs.containsKey(p.job()) && idle(jobs.get(p.job()), s)))
        .sorted().toList();
    if (candidates.isEmpty()) {
      return false;
    }
    String node = candidates.get(fault.choose(candidates.size()));
    Map<JobTrack, Integer> hit = new LinkedHashMap<>();
    byNode.get(node).forEach(p -> hit.put(jobs.get(p.job()), p.attempt()));
    BooleanSupplier undo = switch (fault.kind()) {
      case NODE_NOT_READY, NODE_NOT_READY_BLIP -> notReady(node);
      case NODE_DELETED -> delete(node);
      default -> fatalSignal(node, fault);
    };
    if (undo == null) {
      return false;
    }
    Instant at = Instant.now();
    nodesUnderFault.add(node);
    UnseenHits.NodeFault applied = new UnseenHits.NodeFault(node, fault.kind(), at, null);
    nodeFaults.add(applied);
    if (fault.kind().restarts()) {
      boundSince(node, hit.keySet()).forEach(hit::putIfAbsent);
    }
    Map<JobTrack, Integer> hitAt = new LinkedHashMap<>();
    hit.forEach((t, attempt) -> hitAt.put(t, t.hit(fault.kind(), at, attempt)));
    log("%s: %s (jobs %s)", fault.kind(), node, hit.keySet().stream().map(t -> t.plan.name()).toList());
    // A restarting fault is put back only once its jobs have moved on: put back while no replica
    // could act (both restarting, the API server down), it would have happened unseen, and no
    // restart would be right either. The planned hold is the least it lasts.
    BooleanSupplier putBack = !fault.kind().restarts() ? undo
        : () -> (movedOn(hit) || Duration.between(at, Instant.now()).compareTo(MAX_NODE_FAULT) > 0) && undo.getAsBoolean();
    undoer.schedule(node, at, fault.hold(), putBack, lasted -> {
      nodesUnderFault.remove(node);
      synchronized (nodeFaults) {
        nodeFaults.set(nodeFaults.indexOf(applied), new UnseenHits.NodeFault(node, fault.kind(), at, at.plus(lasted)));
      }
      Duration grace = plan.profile().nodeNotReadyGrace();
      if (fault.kind() == FaultKind.NODE_NOT_READY_BLIP && lasted.compareTo(grace.dividedBy(2)) >= 0) {
        // The operator may or may not have seen this blip pass its grace: either outcome is right.
        hitAt.forEach(JobTrack::overran);
        log("%s: %s was NotReady for %.1f s of a planned %d s (grace %d s): its jobs may restart or not", fault.kind(), node,
            lasted.toMillis() / 1000.0, fault.hold().toSeconds(), grace.toSeconds());
      }
    });
    return true;
  }

  /**
   * Jobs other than {@code counted} with a pod bound to {@code node} just after a fault hit it: a gang
   * the operator placed there in the second between the snapshot and the fault. Being bound, it is
   * restarted like the others (pods only reserved there are not: they are placed again).
   */
  private Map<JobTrack, Integer> boundSince(String node, Set<JobTrack> counted) {
    Snapshot after = snapshot();
    Map<JobTrack, Integer> more = new LinkedHashMap<>();
    if (after == null) {
      return more;
    }
    after.pods().stream().filter(p -> p.live() && node.equals(p.nodeName()) && p.namespace().equals(NAMESPACE) && jobs.containsKey(p.job()))
        .forEach(p -> {
          JobTrack t = jobs.get(p.job());
          Snapshot.JobFact f = after.job(NAMESPACE, p.job());
          boolean current = f != null && f.attempt() == p.attempt();
          boolean open = t.state == JobTrack.State.SUBMITTED || t.state == JobTrack.State.RUNNING || t.state == JobTrack.State.RECOVERING;
          if (!counted.contains(t) && current && open) {
            more.putIfAbsent(t, p.attempt());
          }
        });
    return more;
  }

  /** Every job of {@code hit} is past the attempt the fault hit, finished, or gone (read from the API server now). */
  private boolean movedOn(Map<JobTrack, Integer> hit) {
    Command.Result r = cluster.kubectl("get", "trainingjobs.gangway.dev", "-n", NAMESPACE, "-o",
        "jsonpath={range .items[*]}{.metadata.name} {.status.attempt} {.status.phase}{\"\\n\"}{end}");
    if (r.exitCode() != 0) {
      return false;
    }
    Map<String, String[]> byName = r.stdout().lines().map(l -> l.split(" ")).filter(f -> f.length >= 2)
        .collect(Collectors.toMap(f -> f[0], f -> f, (a, b) -> a));
    return hit.entrySet().stream().allMatch(e -> {
      String[] f = byName.get(e.getKey().plan.name());
      return f == null || (f.length > 2 && (f[2].equals("Succeeded") || f[2].equals("Failed")))
          || (!f[1].isEmpty() && Integer.parseInt(f[1]) > e.getValue());
    });
  }

  /** @return the undo (true once the node is Ready again), or null if the fault could not be applied */
  private BooleanSupplier notReady(String node) {
    if (cluster.kubectl("annotate", "node", node, "gangway.dev/e2e-node-not-ready=true", "--overwrite").exitCode() != 0) {
      return null;
    }
    AtomicBoolean removed = new AtomicBoolean();
    return () -> {
      if (!removed.get()) {
        removed.set(cluster.kubectl("annotate", "node", node, "gangway.dev/e2e-node-not-ready-").exitCode() == 0);
      }
      // Over only once KWOK has turned the node Ready again: that is what the operator sees.
      return removed.get() && "True".equals(cluster.kubectl("get", "node", node, "-o",
          "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").stdout().strip());
    };
  }

  /**
   * Deletes the Node; the undo registers it again under the same name, as a replaced machine would.
   *
   * @return the undo (true once the node exists again), or null if the fault could not be applied
   */
  private BooleanSupplier delete(String node) {
    Command.Result got = cluster.kubectl("get", "node", node, "-o", "json");
    if (got.exitCode() != 0) {
      return null;
    }
    ObjectNode saved;
    try {
      saved = (ObjectNode) JSON.readTree(got.stdout());
    } catch (IOException e) {
      return null;
    }
    String replacement = NodeReplacement.manifest(saved);
    if (cluster.kubectl("delete", "node", node, "--wait=false").exitCode() != 0) {
      return null;
    }
    return () -> cluster.kubectlWithInput(replacement, "create", "-f", "-").exitCode() == 0
        || cluster.kubectl("get", "node", node).exitCode() == 0;
  }

  /** @return the undo (true once a replica acknowledged the Cleared signal), or null if no replica took the Fatal one */
  private BooleanSupplier fatalSignal(String node, Fault fault) {
    String replica = upReplica(fault.pick());
    if (replica == null) {
      return null;
    }
    int code = post(replica, "/api/v1/node-health", healthSignal(node, "Fatal"), () -> Intake.healthAgentToken(cluster));
    if (code < 200 || code >= 300) {
      return null;
    }
    return () -> {
      String any = upReplica(fault.pick() + 1);
      int cleared = any == null ? -1 : post(any, "/api/v1/node-health", healthSignal(node, "Cleared"), () -> Intake.healthAgentToken(cluster));
      return cleared >= 200 && cleared < 300;
    };
  }

  private static ObjectNode healthSignal(String node, String severity) {
    return JSON.createObjectNode().put("node", node).put("severity", severity).put("reason", "XID 79 (chaos run)")
        .put("time", Instant.now().toString());
  }


  private boolean replicaFault(Fault fault) {
    if (!replicas.allAlive() || killedAt != null) {
      return false;
    }
    String leader = Replicas.ofIdentity(leaseHolder().path("holderIdentity").asText(null));
    if (leader == null) {
      return false;
    }
    String victim = fault.kind() == FaultKind.KILL_LEADER ? leader : Replicas.NAMES.stream().filter(n -> !n.equals(leader)).findFirst()
        .orElseThrow();
    String identity = replicas.identity(victim);
    Instant killed = replicas.kill(victim, fault.hold());
    if (fault.kind() == FaultKind.KILL_LEADER) {
      killedAt = killed;
      killedIdentity = identity;
    }
    log("%s: replica %s (%s), back in %d s", fault.kind(), victim, identity, fault.hold().toSeconds());
    return true;
  }

  /** Whether the Lease names a replica process that is alive (and not expired by its renewTime). */
  private boolean liveLeader(JsonNode lease) {
    String holder = lease.path("holderIdentity").asText(null);
    boolean alive = Replicas.NAMES.stream().anyMatch(n -> replicas.alive(n) && Replicas.sameProcess(holder, replicas.identity(n)));
    if (!alive || !lease.hasNonNull("renewTime")) {
      return false;
    }
    Instant renewed = Instant.parse(lease.path("renewTime").asText());
    return renewed.plusSeconds(lease.path("leaseDurationSeconds").asLong(15)).isAfter(Instant.now());
  }

  /** After a leader was killed: the other replica's acquireTime, once the Lease names it. */
  private void watchTakeover(JsonNode lease) {
    if (killedAt == null) {
      return;
    }
    String holder = lease.path("holderIdentity").asText("");
    Instant now = Instant.now();
    if (Duration.between(killedAt, now).toSeconds() > 120) {
      log("no takeover seen within 120 s of killing %s", killedIdentity);
      report.takeovers().notSeen(killedAt, now, List.copyOf(apiServerDowntimes));
      killedAt = null;
      return;
    }
    if (!holder.isEmpty() && !Replicas.sameProcess(holder, killedIdentity) && lease.hasNonNull("acquireTime")) {
      Instant acquired = Instant.parse(lease.path("acquireTime").asText());
      report.takeovers().taken(killedAt, acquired, Duration.ofSeconds(lease.path("leaseDurationSeconds").asLong(15)),
          List.copyOf(apiServerDowntimes));
      log("takeover by %s %d ms after the SIGKILL", holder, Duration.between(killedAt, acquired).toMillis());
      killedAt = null;
    }
  }

  private boolean controlPlaneFault(Fault fault) {
    String component = fault.kind() == FaultKind.RESTART_APISERVER ? "kube-apiserver" : "kube-scheduler";
    Instant from = Instant.now();
    Command.Result r = cluster.restart(component);
    if (fault.kind() == FaultKind.RESTART_APISERVER) {
      // The restart command returns once the API server is ready again: until then no replica could take the Lease.
      apiServerDowntimes.add(new Takeovers.Downtime(from, Instant.now()));
    }
    log("%s: %s", fault.kind(), r.exitCode() == 0 ? "restarted" : "FAILED " + r.stderr().strip());
    return r.exitCode() == 0;
  }

  // --- helpers -------------------------------------------------------------------------------------

  private JsonNode leaseHolder() {
    Command.Result r = cluster.kubectl("get", "lease", Replicas.LEASE_NAME, "-n", Replicas.LEASE_NAMESPACE, "-o", "json");
    try {
      return r.exitCode() == 0 ? JSON.readTree(r.stdout()).path("spec") : JSON.createObjectNode();
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private String upReplica(int pick) {
    List<String> up = Replicas.NAMES.stream().filter(replicas::alive).toList();
    return up.isEmpty() ? null : up.get(pick % up.size());
  }

  /** @param token the sender's intake token (a rank's, or the health agent's), issued by the API server */
  private int post(String replica, String path, JsonNode body, Supplier<String> token) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(replicas.url(replica) + path)).timeout(Duration.ofSeconds(5))
          .header("content-type", "application/json").header("Authorization", "Bearer " + token.get())
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | NullPointerException | IllegalStateException e) {
      return -1; // the replica died in between: not acknowledged
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private void log(String format, Object... args) {
    long t = start == null ? 0 : Duration.between(start, Instant.now()).toSeconds();
    System.out.println("[chaos +" + t + "s] " + format.formatted(args));
  }
}

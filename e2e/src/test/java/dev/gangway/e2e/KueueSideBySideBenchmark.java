package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.TopologySpec;
import dev.gangway.bench.ScenarioRunner;
import dev.gangway.bench.Shapes;
import dev.gangway.bench.TpStream;
import dev.gangway.e2e.sidebyside.ContenderResult;
import dev.gangway.e2e.sidebyside.Contender;
import dev.gangway.e2e.sidebyside.JobManifests;
import dev.gangway.e2e.sidebyside.PlacementScore;
import dev.gangway.e2e.sidebyside.ReplayTimeline;
import dev.gangway.e2e.sidebyside.ReplayJob;
import dev.gangway.e2e.sidebyside.SideBySideTable;
import dev.gangway.e2e.sidebyside.WaitReasons;
import dev.gangway.e2e.sidebyside.GangScoreTable;
import dev.gangway.e2e.sidebyside.StartBreakdown;
import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 15 item 3: one seeded stream of tensor-parallel jobs ({@link TpStream}) replayed on the same KWOK cluster
 * (`nvl72`: 16 GB200 NVL72 racks, 288 nodes × 4 GPUs; or `superpod`: 128 H100 nodes, 4 blocks of 8 racks, with
 * -Dgangway.bench.cluster=superpod) through Gangway, through Kueue 0.17 with Topology Aware
 * Scheduling, and through kube-scheduler alone, one after another, each in its own namespace with only its own
 * system running. Each job asks for the same thing (see {@link JobManifests}); ranks run for the stream's duration
 * scaled to seconds, then succeed. Prints one table (apply → all ranks Running, jobs per minute, GPU utilisation, domains
 * spanned and ring crossings per level against the lower bound, TP groups split, what each could not honour). A
 * benchmark: it asserts only that the run measured something, never a time.
 *
 * <pre>mvn -B verify -pl e2e -Dtest=KueueSideBySideBenchmark -Dgangway.bench=true
 *     [-Dgangway.bench.jobs=30 -Dgangway.bench.seed=1 -Dgangway.bench.load=0.9 -Dgangway.bench.secondsPerHour=10
 *      -Dgangway.bench.minRunSeconds=10 -Dgangway.bench.waitForTighterSeconds=0 -Dgangway.bench.cluster=nvl72
 *      -Dgangway.bench.headHoldsAfterSeconds=60]
 *     (waitForTighterSeconds unset: the jobs leave it to the operator's default; headHoldsAfterSeconds set: a fourth
 *     contender, Gangway again with gangway.placement.head-holds-after-seconds at that value, after the default one)</pre>
 */
@EnabledIfSystemProperty(named = "gangway.bench", matches = "true")
class KueueSideBySideBenchmark {
  /** The cluster file under e2e/clusters, and the bench shape ({@link Shapes}) with the same nodes, for the stream. */
  private static final String CLUSTER = System.getProperty("gangway.bench.cluster", "nvl72");
  private static final String SHAPE = switch (CLUSTER) {
    case "nvl72" -> "nvl72-16";
    case "superpod" -> "superpod-128";
    default -> throw new IllegalArgumentException("gangway.bench.cluster: nvl72 or superpod, not " + CLUSTER);
  };
  private static final int PORT_BASE = 26700;

  @Test
  void sameStreamThroughGangwayKueueTasAndKubeSchedulerAlone() throws IOException {
    int count = Integer.getInteger("gangway.bench.jobs", 30);
    long seed = Long.getLong("gangway.bench.seed", 1);
    double load = Double.parseDouble(System.getProperty("gangway.bench.load", "0.9"));
    double secondsPerHour = Double.parseDouble(System.getProperty("gangway.bench.secondsPerHour", "10"));
    int minRun = Integer.getInteger("gangway.bench.minRunSeconds", 10);
    // Gangway's spec.topology.waitForTighterSeconds on every job; unset (the default here) leaves it to the operator's default
    // (TopologySpec.DEFAULT_WAIT_FOR_TIGHTER_SECONDS); 0 places each gang as soon as it fits.
    Integer waitForTighter = Integer.getInteger("gangway.bench.waitForTighterSeconds");
    // Set: Gangway runs the stream a second time with its queue's head passed for this long (the platform setting).
    Integer headHoldsAfter = Integer.getInteger("gangway.bench.headHoldsAfterSeconds");
    Shapes.Shape shape = Shapes.byName(SHAPE);
    List<ScenarioRunner.Job> jobs = TpStream.jobs(count, seed, load, shape, new int[shape.nodes()]);
    List<ReplayJob> stream = ReplayJob.of(jobs, secondsPerHour, minRun);
    Path kueue = KueueManager.binary(E2eEnvironment.REPO);
    Path work = E2eEnvironment.WORK.resolve("kueue-bench");
    Instant started = Instant.now();
    try (LocalCluster cluster = LocalCluster.start(E2eEnvironment.REPO, work, CLUSTER, PORT_BASE, List.of("--timeout", "300"))) {
      cluster.installCrds();
      cluster.kubectlOk("apply", "-f", cluster.topology().toString());
      KueueManager.installCrds(E2eEnvironment.REPO, cluster);
      Topology topology = Topology.from(new ObjectMapper(new YAMLFactory())
          .readValue(cluster.topology().toFile(), ClusterTopology.class).getSpec());
      List<Node> nodes = schedulableNodes(cluster);
      long clusterGpus = shape.gpus();
      JobManifests manifests = new JobManifests(topology, waitForTighter);
      PlacementScore score = new PlacementScore(topology, nodes);
      List<String> levels = topology.levels().stream().map(Level::name).filter(l -> !l.equals("host")).toList();

      Map<Contender, ContenderResult> results = new EnumMap<>(Contender.class);
      Map<Contender, String> failed = new EnumMap<>(Contender.class);
      // Kueue first: it is the contender least proven on this cluster, so a failure of its setup shows within minutes
      // and the other two still run. Each starts on the same empty cluster, so the order changes no figure.
      run(cluster, Contender.KUEUE_TAS, results, failed, () -> {
        cluster.kubectlOk("create", "namespace", "kueue-system");
        try (KueueManager manager = KueueManager.start(kueue, cluster.kubeconfig(), work, cluster.logs().resolve("kueue.log"))) {
          cluster.kubectlOk("create", "namespace", Contender.KUEUE_TAS.namespace());
          cluster.kubectlWithInput(manifests.kueueQueues(CLUSTER, "gangway.dev/e2e-cluster", CLUSTER, clusterGpus,
              Contender.KUEUE_TAS.namespace()), "apply", "-f", "-").assertOk();
          org.awaitility.Awaitility.await("Kueue's ClusterQueue active").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
              .until(() -> cluster.kubectl("get", "clusterqueue", JobManifests.CLUSTER_QUEUE, "-o",
                  "jsonpath={.status.conditions[?(@.type==\"Active\")].status}").stdout().strip().equals("True"));
          return replay(cluster, Contender.KUEUE_TAS, stream, j -> manifests.kueueJob(j, Contender.KUEUE_TAS.namespace()), score,
              clusterGpus, levels);
        }
      });
      run(cluster, Contender.GANGWAY, results, failed, () -> replayGangway(cluster, Contender.GANGWAY, Map.of(), stream, manifests, score,
          clusterGpus, levels));
      if (headHoldsAfter != null) {
        run(cluster, Contender.GANGWAY_HEAD_PASSED, results, failed, () -> replayGangway(cluster, Contender.GANGWAY_HEAD_PASSED,
            Map.of("gangway.placement.head-holds-after-seconds", String.valueOf(headHoldsAfter)), stream, manifests, score,
            clusterGpus, levels));
      }
      run(cluster, Contender.KUBE_SCHEDULER, results, failed, () -> replay(cluster, Contender.KUBE_SCHEDULER, stream,
          j -> manifests.plainJob(j, Contender.KUBE_SCHEDULER.namespace()), score, clusterGpus, levels));

      String table = SideBySideTable.render(List.copyOf(results.values()), levels);
      System.out.println();
      System.out.printf(Locale.ROOT, "=== Side by side on %s (%d nodes, %d GPUs), started %s: %d jobs of the TP stream, seed %d, load %.2f, "
          + "%.0f s per simulated hour, ranks run at least %d s; Gangway's waitForTighterSeconds %s%s ===%n", CLUSTER, nodes.size(),
          clusterGpus, started, count, seed, load, secondsPerHour, minRun,
          waitForTighter == null ? "unset (operator default " + TopologySpec.DEFAULT_WAIT_FOR_TIGHTER_SECONDS + ")" : waitForTighter,
          headHoldsAfter == null ? "" : "; \"" + Contender.GANGWAY_HEAD_PASSED.title() + "\": head-holds-after-seconds " + headHoldsAfter);
      System.out.println(TpStream.describe(jobs));
      System.out.println(table);
      failed.forEach((c, why) -> System.out.println(c.title() + " did not complete its replay: " + why));
      Files.writeString(work.resolve("side-by-side.md"), table);
      assertThat(failed).as("contenders whose replay failed").isEmpty();
      // Sanity, not a target: both gang schedulers measured a placement for some of the stream.
      assertThat(results.get(Contender.GANGWAY).whole()).as("gangs Gangway started").isPositive();
      assertThat(results.get(Contender.KUEUE_TAS).whole()).as("gangs Kueue TAS admitted and started").isPositive();
    }
  }

  /** A Gangway contender: the packaged operator with {@code properties}, started for this replay and stopped after it. */
  private static ContenderResult replayGangway(LocalCluster cluster, Contender contender, Map<String, String> properties,
      List<ReplayJob> stream, JobManifests manifests, PlacementScore score, long clusterGpus, List<String> levels) {
    try (OperatorProcess operator = OperatorProcess.start(E2eEnvironment.REPO, cluster.kubeconfig(), PORT_BASE + 8,
        cluster.logs().resolve("operator-" + contender.namespace() + ".log"), properties)) {
      // As Kueue's replay waits for its ClusterQueue to be Active: the stream starts once the operator's informers
      // have synced, not while it still lists the cluster's 288 nodes.
      operator.awaitReady(Duration.ofSeconds(180));
      ContenderResult result = replay(cluster, contender, stream, j -> manifests.trainingJob(j, contender.namespace()), score,
          clusterGpus, levels);
      printPlacementMetrics(operator);
      return result;
    }
  }

  /**
   * One contender's replay; if it fails, the reason is kept and the run goes on (the replay deleted its namespace).
   */
  private static void run(LocalCluster cluster, Contender contender, Map<Contender, ContenderResult> results,
      Map<Contender, String> failed, java.util.function.Supplier<ContenderResult> replay) {
    try {
      results.put(contender, replay.get());
    } catch (RuntimeException | AssertionError e) {
      e.printStackTrace();
      failed.put(contender, e.toString());
    }
  }

  /** Applies the stream to the contender's namespace on its schedule, watches its pods until every job completed, cleans up. */
  private static ContenderResult replay(LocalCluster cluster, Contender contender, List<ReplayJob> stream,
      java.util.function.Function<ReplayJob, String> manifest, PlacementScore score, long clusterGpus, List<String> levels) {
    String ns = contender.namespace();
    cluster.kubectl("create", "namespace", ns);
    try {
      return replayIn(cluster, contender, stream, manifest, score, clusterGpus, levels);
    } catch (RuntimeException | AssertionError e) {
      // While the contender's system still runs (Kueue's finalizers on its Workloads), so its pods leave the cluster.
      cluster.kubectl("delete", "namespace", ns, "--wait=false");
      throw e;
    }
  }

  private static ContenderResult replayIn(LocalCluster cluster, Contender contender, List<ReplayJob> stream,
      java.util.function.Function<ReplayJob, String> manifest, PlacementScore score, long clusterGpus, List<String> levels) {
    String ns = contender.namespace();
    ReplayTimeline timeline = new ReplayTimeline(stream);
    // Gangway's own record of each decision: the domains it chose and the bound on the cluster as it stood then.
    Map<String, dev.gangway.api.v1alpha1.PlacementStatus> atDecision = new java.util.concurrent.ConcurrentHashMap<>();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    long end;
    java.util.concurrent.atomic.AtomicLong lastEvent = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
    try (PodWatch watch = PodWatch.start(cluster, ns, cluster.logs().resolve("pod-watch-" + ns + ".err"), (type, pod, nanos) -> {
      lastEvent.set(nanos);
      synchronized (timeline) {
        timeline.event(type, pod, nanos);
      }
    })) {
      if (contender.gangway()) {
        // The job's own steps (first status written, Placed=True), for the stage-by-stage breakdown.
        watch.withTrainingJobs(ns, (type, job, nanos) -> {
          var status = job.getStatus();
          boolean hasStatus = status != null && status.getPhase() != null;
          boolean placed = hasStatus && dev.gangway.decide.JobConditions.isTrue(status.getConditions(), dev.gangway.decide.JobConditions.PLACED);
          if (placed && status.getPlacement() != null && status.getPlacement().getLowerBoundDomains() != null) {
            atDecision.put(job.getMetadata().getName(), status.getPlacement());
          }
          synchronized (timeline) {
            timeline.jobStatus(job.getMetadata().getName(), hasStatus, placed, nanos);
          }
        });
      }
      long startNanos = System.nanoTime();
      ScheduledThreadPoolExecutor appliers = new ScheduledThreadPoolExecutor(4);
      for (ReplayJob j : stream) {
        appliers.schedule(() -> {
          synchronized (timeline) {
            timeline.applied(j.name(), System.nanoTime());
          }
          Command.Result r = cluster.kubectlWithInput(manifest.apply(j), "apply", "-f", "-");
          if (r.exitCode() != 0) failures.add(j.name() + ": " + r.stderr().strip());
        }, Math.round(j.applyAtSeconds() * 1000), TimeUnit.MILLISECONDS);
      }
      double lastApply = stream.get(stream.size() - 1).applyAtSeconds();
      double gpuSeconds = stream.stream().mapToDouble(j -> (double) j.runSeconds() * j.gpus()).sum();
      int longest = stream.stream().mapToInt(ReplayJob::runSeconds).max().orElse(0);
      // A bound on the run, not a measurement: the stream's work twice over on the whole cluster, after the last apply.
      long deadline = System.nanoTime() + (long) ((lastApply + 2 * gpuSeconds / clusterGpus + longest + 180) * 1e9);
      System.out.printf(Locale.ROOT, "%s: replaying %d jobs over %.0f s (deadline %.0f s)%n", contender.title(), stream.size(), lastApply,
          (deadline - System.nanoTime()) / 1e9);
      // Quiet for longer than any rank runs, after the last apply: nothing is left that will change by waiting.
      long stall = (long) ((longest + 60) * 1e9);
      long allApplied = startNanos + (long) (lastApply * 1e9);
      while (System.nanoTime() < deadline) {
        synchronized (timeline) {
          if (timeline.allCompleted()) break;
        }
        long now = System.nanoTime();
        if (now > allApplied && now - Math.max(lastEvent.get(), allApplied) > stall) {
          System.out.printf(Locale.ROOT, "%s: no pod changed for %.0f s with jobs not completed; what is left:%n%s%n", contender.title(),
              stall / 1e9, cluster.kubectl("get", "jobs,workloads.kueue.x-k8s.io,trainingjobs.gangway.dev", "-n", ns, "-o", "wide")
                  .stdout());
          break;
        }
        assertThat(watch.isAlive()).as("kubectl's pod watch on " + ns + " is running (stderr: pod-watch-" + ns + ".err)").isTrue();
        sleep(1000);
      }
      appliers.shutdownNow();
      end = System.nanoTime();
    }
    Map<String, PlacementScore.Score> scores = new LinkedHashMap<>();
    for (ReplayJob j : stream) {
      ReplayTimeline.Whole w = timeline.whole().get(j.name());
      if (w != null) scores.put(j.name(), score.of(j, ns, w.nodeByRank(), w.others()));
    }
    ContenderResult result = ContenderResult.of(contender, stream, timeline, scores, end, clusterGpus, levels, List.copyOf(failures));
    System.out.printf(Locale.ROOT, "%s: %d/%d gangs whole, %d completed; not honoured: %s%n", contender.title(), result.whole(),
        stream.size(), result.completed(), result.notHonoured());
    // Each row as soon as it is known: a later contender's failure does not lose it.
    System.out.println(SideBySideTable.render(List.of(result), levels));
    System.out.println(StartBreakdown.render(contender.title(), stream, timeline));
    System.out.println(GangScoreTable.render(contender.title(), stream, scores, levels));
    if (!atDecision.isEmpty()) printAtDecision(contender, stream, atDecision, levels);
    // Before the namespace goes: its events go with it.
    if (contender.gangway()) printWaitReasons(cluster, contender);
    try {
      cluster.kubectl("delete", "namespace", ns, "--wait=true", "--timeout=300s");
    } catch (AssertionError e) {
      System.out.println(contender.title() + ": its namespace was still being deleted when the next contender started: " + e.getMessage());
    }
    return result;
  }

  /**
   * The nodes once the node lifecycle controller has lifted its not-ready taints from the fresh cluster (~9 nodes a
   * second at its default QPS). Read earlier, a still-tainted node counts as closed in every gang's bound, which was
   * then taken over part of the cluster: 1 rack for a 576-GPU gang in the 2026-12-04 runs.
   */
  private static List<Node> schedulableNodes(LocalCluster cluster) throws java.io.IOException {
    long t0 = System.nanoTime();
    List<Node> nodes;
    long tainted;
    do {
      nodes = new ObjectMapper().readValue(cluster.kubectlOk("get", "nodes", "-o", "json"), NodeList.class).getItems();
      tainted = nodes.stream().filter(n -> n.getSpec().getTaints() != null && n.getSpec().getTaints().stream()
          .anyMatch(t -> t.getKey().startsWith("node.kubernetes.io/"))).count();
      if (tainted > 0) sleep(2000);
    } while (tainted > 0 && System.nanoTime() - t0 < Duration.ofMinutes(3).toNanos());
    System.out.printf(Locale.ROOT, "nodes read %.0f s after the cluster started, %d of %d still tainted by the node lifecycle controller%n",
        (System.nanoTime() - t0) / 1e9, tainted, nodes.size());
    return nodes;
  }

  /**
   * Each multi-rank gang's domains per level as the operator recorded them when it decided (status.placement), with
   * the bound on the cluster as it stood at that moment, where the table above takes the bound when the gang stood
   * whole: between the two, other jobs finish and the bound can only be lower later.
   */
  private static void printAtDecision(Contender contender, List<ReplayJob> stream, Map<String, dev.gangway.api.v1alpha1.PlacementStatus> atDecision,
      List<String> levels) {
    System.out.println(contender.title() + ": each gang at its decision, domains (bound then), from status.placement");
    System.out.println("| job | ranks | " + String.join(" | ", levels) + " |");
    System.out.println("|---|---|" + "---|".repeat(levels.size()));
    for (ReplayJob j : stream) {
      var p = atDecision.get(j.name());
      if (p == null || j.replicas() < 2) continue;
      StringBuilder row = new StringBuilder("| " + j.name() + " | " + j.replicas() + " |");
      for (String level : levels) {
        row.append(' ').append(p.getDomainsSpanned().get(level)).append(" (").append(p.getLowerBoundDomains().get(level)).append(") |");
      }
      System.out.println(row);
    }
    System.out.println();
  }

  /** Why each Gangway job waited to be placed and for how long, from its Events (none waiting: placed at its first decision). */
  private static void printWaitReasons(LocalCluster cluster, Contender contender) {
    var listed = cluster.kubectl("get", "events", "-n", contender.namespace(), "-o", "json");
    try {
      System.out.println(contender.title() + ": why gangs waited to be placed, seconds per reason (from each WaitingForPlacement event to the job's next one or its Placed; "
          + "a job not listed never waited)");
      WaitReasons.of(new ObjectMapper().readTree(listed.stdout()))
          .forEach((job, kinds) -> System.out.println("  " + job + ": " + WaitReasons.describe(kinds)));
    } catch (IOException e) {
      System.out.println("could not read the Gangway namespace's events: " + e + " " + listed.stderr());
    }
  }

  /** The operator's own placement figures after its replay: decisions, writes, waiting gangs woken by freed capacity. */
  private static void printPlacementMetrics(OperatorProcess operator) {
    try {
      var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(operator.url() + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      System.out.println("gangway operator metrics after its replay:");
      response.body().lines().filter(l -> !l.startsWith("#"))
          .filter(l -> l.startsWith("gangway_placement_wakeups") || l.startsWith("gangway_placement_decision_seconds")
              || l.startsWith("gangway_placement_writes_seconds") || l.startsWith("gangway_placement_snapshot_engine_seconds")
              || l.startsWith("gangway_placement_apply_to_bound_seconds") || l.startsWith("gangway_job_time_to_running_seconds_count")
              || l.startsWith("gangway_job_time_to_running_seconds_sum"))
          .forEach(l -> System.out.println("  " + l));
    } catch (IOException e) {
      System.out.println("could not read the operator's metrics: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}

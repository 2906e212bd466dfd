package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gangway.e2e.bench.BenchClient;
import dev.gangway.e2e.bench.PodTimeline;
import dev.gangway.e2e.bench.ProcessUsage;
import dev.gangway.e2e.bench.SampleFile;
import dev.gangway.e2e.bench.WriteTally;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 15 item 4: the packaged operator on the `hyperscale` cluster (2,048 KWOK nodes x 8 GPUs), each
 * figure beside its baseline in the same run — the same pods created bare and as an Indexed Job,
 * scheduled by kube-scheduler alone:
 * <ol>
 *   <li>small jobs: N two-rank jobs of 8 GPUs, create → every pod Running;
 *   <li>one 1,024-rank x 8-GPU gang, create → every rank Running;
 *   <li>that gang's restart after a Fatal node-health signal for one rank's node, node exclusion on
 *       (the default), backoff 0: signal → every rank of the next attempt Running;
 *   <li>operator RSS and CPU with 20,000 pods in the cluster (and so in its cache);
 *   <li>API writes per job and per rank, by user and request, counted from the API server's audit log
 *       for each step's window (so a change to the start path can be recounted by rerunning this).
 * </ol>
 * Times are the arrival of the watch event that completed the step ({@link PodTimeline}). Prints
 * numbers and writes one line per step; asserts no wall-clock limit.
 *
 * <pre>mvn -B verify -pl e2e -Dtest=HyperscaleBenchmark -Dgangway.bench=true
 *     [-Dgangway.bench.smallJobs=300 -Dgangway.bench.gangRanks=1024 -Dgangway.bench.restarts=3 -Dgangway.bench.cachedPods=20000]
 *     [-Dgangway.bench.stopBy=2026-12-02T17:20:00Z] [-Dgangway.bench.steps=small,gang,cache]</pre>
 * With {@code stopBy}, a step (the small jobs, the gang, each restart, the cache) that would begin after that instant
 * is skipped and said so, and the run still counts the writes of the steps it ran and stops its cluster: a run
 * that must end in a shared time slot ends with what it measured. With {@code steps}, only the steps named run
 * ({@code small}: the small jobs, {@code gang}: the gang and its restarts, {@code cache}: the operator at 20,000 pods).
 */
@EnabledIfSystemProperty(named = "gangway.bench", matches = "true")
class HyperscaleBenchmark {
  private static final String NS = "bench";
  private static final String FILLER_NS = "filler";
  private static final String STEP = "bench.gangway.dev/step";
  private static final String OPERATOR = "gangway-operator-a";
  private static final String JOB_CONTROLLER = "system:serviceaccount:kube-system:job-controller";
  private static final String ADMIN = "admin";
  private static final Duration WAIT = Duration.ofMinutes(15);
  /** The operator's own split of a start: decision (snapshot + engine), its API writes, apply → every rank bound. */
  private static final String PLACEMENT_TIMERS = "gangway_placement_(decision|snapshot_engine|writes|apply_to_bound)_seconds"
      + "(?!.*(waiting|expired|_bucket)).*|gangway_placement_cache_pods.*";

  private final int smallJobs = Integer.getInteger("gangway.bench.smallJobs", 300);
  private final int gangRanks = Integer.getInteger("gangway.bench.gangRanks", 1024);
  private final int restarts = Integer.getInteger("gangway.bench.restarts", 3);
  private final int cachedPods = Integer.getInteger("gangway.bench.cachedPods", 20_000);
  /** Another cluster file of e2e/clusters for a quick check of the harness itself (e.g. small, with small counts). */
  private final String clusterFile = System.getProperty("gangway.bench.cluster", "hyperscale");
  private final Instant stopBy = Instant.parse(System.getProperty("gangway.bench.stopBy", "9999-12-31T23:59:59Z"));
  private final List<String> steps = List.of(System.getProperty("gangway.bench.steps", "small,gang,cache").split(","));
  /** Off to time only Gangway's gang start and restarts (the baselines of a 2,000-rank gang take minutes on this machine). */
  private final boolean gangBaselines = Boolean.parseBoolean(System.getProperty("gangway.bench.gangBaselines", "true"));
  /**
   * kube-scheduler's and kube-controller-manager's client QPS ({@code cluster.sh up --client-qps}); blank keeps their
   * defaults (50 and 20), which pace 2,000 bindings to ~40 s and the node lifecycle controller's settle to ~7 min.
   */
  private final String controlPlaneQps = System.getProperty("gangway.bench.controlPlaneQps", "");
  private final List<WriteTally.Window> windows = new ArrayList<>();
  private final List<String> report = new ArrayList<>();
  private int counted;
  private SampleFile raw;
  private LocalCluster cluster;
  private OperatorProcess operator;
  private BenchClient client;
  private PodTimeline timeline;
  private final ExecutorService creators = Executors.newFixedThreadPool(8);

  private List<String> clusterOptions() {
    List<String> options = new ArrayList<>(List.of("--audit-log", "--timeout", "900"));
    if (!controlPlaneQps.isBlank()) {
      options.addAll(List.of("--client-qps", controlPlaneQps));
    }
    return options;
  }

  @Test
  void hyperscale() throws Exception {
    raw = SampleFile.create(E2eEnvironment.WORK.resolve("bench/hyperscale-samples.tsv"),
        "HyperscaleBenchmark: " + clusterFile + " cluster, packaged operator, control-plane client QPS "
            + (controlPlaneQps.isBlank() ? "default" : controlPlaneQps) + ", started " + Instant.now()
            + "\nseconds from the first create (or the injection) to the watch event that completed the step",
        "step", "variant", "pods", "seconds", "pods_per_s", "operator_cpu_s", "apiserver_cpu_s");
    try (LocalCluster started = LocalCluster.start(E2eEnvironment.REPO, E2eEnvironment.WORK.resolve("hyperscale"), clusterFile, 26700,
        clusterOptions())) {
      cluster = started;
      cluster.installCrds();
      cluster.kubectlOk("apply", "-f", cluster.topology().toString());
      cluster.kubectlOk("create", "namespace", NS);
      cluster.kubectlOk("create", "namespace", FILLER_NS);
      // Its own API user, so the audit log tells the operator's writes from the baselines'.
      try (OperatorProcess op = OperatorProcess.start(E2eEnvironment.REPO, cluster.operatorKubeconfig("a"), 26708,
          cluster.logs().resolve("operator.log"), Map.of(),
          OperatorProcess.benchEnvironment());
           BenchClient c = BenchClient.of(cluster.kubeconfig());
           PodTimeline t = PodTimeline.watch(c.kubernetes(), NS)) {
        operator = op;
        client = c;
        timeline = t;
        awaitNodesSchedulable();
        if (steps.contains("small") && begins("small jobs")) {
          smallJobs();
        }
        if (steps.contains("gang") && begins("the gang")) {
          gang();
        }
        // Counted now as well: the steps above are the figures asked for first, and the cache step is long.
        writesPerJob();
        if (steps.contains("cache") && begins("the cache")) {
          cache();
        }
      } finally {
        creators.shutdownNow();
      }
      writesPerJob();
    }
    System.out.println();
    System.out.println("=== HyperscaleBenchmark: the whole report ===");
    report.forEach(System.out::println);
    System.out.println("raw: " + raw.path());
  }

  /**
   * Waits until no node carries the node lifecycle controller's not-ready or unreachable taint. On 2,048 fresh nodes it
   * lifts them a few per second, for minutes after every node reports Ready: a step started earlier times that, not itself.
   */
  private void awaitNodesSchedulable() throws InterruptedException {
    long t0 = System.nanoTime();
    long tainted;
    do {
      Thread.sleep(2_000);
      tainted = client.kubernetes().nodes().list().getItems().stream()
          .filter(n -> n.getSpec().getTaints() != null && n.getSpec().getTaints().stream()
              .anyMatch(taint -> taint.getKey().startsWith("node.kubernetes.io/"))).count();
    } while (tainted > 0 && System.nanoTime() - t0 < WAIT.toNanos());
    say(String.format(Locale.ROOT, "cluster settled: every node schedulable %.0f s after the operator started (%d still tainted)",
        (System.nanoTime() - t0) / 1e9, tainted));
  }

  // --- 1. small jobs ----------------------------------------------------------------------------

  private void smallJobs() {
    int pods = smallJobs * 2;
    say("");
    say("=== " + smallJobs + " jobs of 2 ranks x 8 GPUs (" + pods + " pods), create -> all Running ===");
    double bare = step("small", "bare-pods", pods, stepPods("small-bare"), () -> createAll(IntStream.range(0, pods)
        .mapToObj(i -> (HasMetadata) barePod("small-bare-" + i, "small-bare")).toList()));
    deletePods("small-bare");
    step("small", "indexed-jobs", pods, stepPods("small-indexed"), () -> createAll(IntStream.range(0, smallJobs)
        .mapToObj(i -> (HasMetadata) indexedJob("small-indexed-" + i, "small-indexed", 2)).toList()));
    deleteJobs("small-indexed");
    double gangway = step("small", "trainingjobs", pods, job -> job.label("gangway.dev/job-name").startsWith("small-tj-"),
        () -> createAll(IntStream.range(0, smallJobs).mapToObj(i -> trainingJob("small-tj-" + i, "small-tj", 2, "")).toList()));
    say(String.format(Locale.ROOT, "TrainingJobs / bare pods: %.2fx (target <= 1.3x)", gangway / bare));
    deleteTrainingJobs("small-tj", "small-tj-");
  }

  // --- 2. and 3. the 1,024-rank gang and its restart -----------------------------------------------

  private void gang() throws Exception {
    say("");
    say("=== one gang of " + gangRanks + " ranks x 8 GPUs, create -> all Running ===");
    double indexed = Double.NaN;
    if (gangBaselines) {
      step("gang", "bare-pods", gangRanks, stepPods("gang-bare"), () -> createAll(IntStream.range(0, gangRanks)
          .mapToObj(i -> (HasMetadata) barePod("gang-bare-" + i, "gang-bare")).toList()));
      deletePods("gang-bare");
      indexed = step("gang", "indexed-job", gangRanks, stepPods("gang-indexed"),
          () -> createAll(List.of(indexedJob("gang-indexed", "gang-indexed", gangRanks))));
      deleteJobs("gang-indexed");
    }
    String policy = """
          failurePolicy:
            maxInfrastructureRestarts: 100
            backoff: {initialSeconds: 0, maxSeconds: 0}
        """;
    // Timed to the first attempt that runs whole: on a starved machine KWOK's nodes can flap NotReady mid-start.
    double gangway = timedStep("gang", "trainingjob", gangRanks, t -> t.awaitGangStarted("gang", gangRanks, WAIT),
        () -> createAll(List.of(trainingJob("gang", "gang", gangRanks, policy))));
    int started = client.trainingJob(NS, "gang").path("status").path("attempt").asInt();
    if (started != 1) {
      say("  the gang was restarted while it started: it ran whole at attempt " + started + " (restartHistory: "
          + client.trainingJob(NS, "gang").path("status").path("restartHistory") + ")");
    }
    if (gangBaselines) {
      say(String.format(Locale.ROOT, "TrainingJob / Indexed Job: %.2fx (target <= 1.1x)", gangway / indexed));
    }
    say("operator's placement timers after the start: " + metrics(PLACEMENT_TIMERS));

    say("");
    say("=== restart of the gang after a Fatal health signal for one rank's node (exclusion on, backoff 0) ===");
    String token = Intake.healthAgentToken(cluster);
    for (int r = 1; r <= restarts && begins("restart " + r); r++) {
      // A restart is timed from a gang the operator has seen running whole, as a failure in production would find it.
      awaitRunning("gang");
      int attempt = client.trainingJob(NS, "gang").path("status").path("attempt").asInt();
      String rank = Integer.toString(new Random(r).nextInt(gangRanks));
      String node = timeline.pods(PodTimeline.ranksOf("gang", attempt).and(m -> m.label("gangway.dev/rank").equals(rank))).get(0).node();
      step("gang-restart", "trainingjob-" + r, gangRanks, PodTimeline.ranksOf("gang", attempt + 1),
          () -> assertThat(Intake.postNodeHealth(operator.url(), node, "Fatal", "XID 79", token)).isEqualTo(200));
      JsonNode status = client.trainingJob(NS, "gang").path("status");
      assertThat(status.path("excludedNodes").toString()).as("exclusion on: the signalled node is excluded").contains(node);
      assertThat(timeline.pods(PodTimeline.ranksOf("gang", attempt + 1))).extracting(PodTimeline.Marks::node).doesNotContain(node);
      JsonNode history = status.path("restartHistory");
      say("  restart " + r + ": node " + node + ", cause " + history.path(history.size() - 1).path("cause").asText("-")
          + ", excluded " + status.path("excludedNodes").size());
      Intake.postNodeHealth(operator.url(), node, "Cleared", "repaired", token);
      timeline.forgetGone(m -> true);
    }
  }

  /** Waits until the job's status says Running; says how long that took when it was not at once. */
  private void awaitRunning(String job) throws InterruptedException {
    long t0 = System.nanoTime();
    while (!"Running".equals(client.trainingJob(NS, job).path("status").path("phase").asText())) {
      if (System.nanoTime() - t0 > WAIT.toNanos()) {
        throw new AssertionError(job + " did not reach phase Running in " + WAIT);
      }
      Thread.sleep(200);
    }
    double waited = (System.nanoTime() - t0) / 1e9;
    if (waited > 0.5) {
      say(String.format(Locale.ROOT, "  (status phase Running %.1f s after every pod ran)", waited));
    }
  }

  // --- 4. RSS and CPU with 20,000 pods ---------------------------------------------------------------

  private void cache() throws Exception {
    int live = client.kubernetes().pods().inAnyNamespace().list().getItems().size();
    int filler = Math.max(0, cachedPods - live);
    List<String> nodes = client.kubernetes().nodes().withLabel("type", "kwok").list().getItems().stream()
        .map(n -> n.getMetadata().getName()).toList();
    say("");
    say("=== operator with " + cachedPods + " pods in the cluster (" + live + " there, " + filler
        + " more without GPUs, bound round-robin to the " + nodes.size() + " nodes) ===");
    ProcessUsage before = ProcessUsage.of(operator.pid());
    say(usage("before", before));
    try (PodTimeline fill = PodTimeline.watch(client.kubernetes(), FILLER_NS)) {
      long t0 = System.nanoTime();
      Instant from = Instant.now();
      ProcessUsage apiBefore = apiserver();
      createAll(IntStream.range(0, filler).mapToObj(i -> (HasMetadata) new PodBuilder().withNewMetadata().withName("filler-" + i)
          .withNamespace(FILLER_NS).endMetadata().withSpec(podSpec(0, nodes.get(i % nodes.size()))).build()).toList());
      long done = fill.awaitStarted(m -> true, filler, WAIT.multipliedBy(2));
      windows.add(new WriteTally.Window("cache/fill", from, Instant.now()));
      podsPerWindow.put("cache/fill", filler);
      ProcessUsage filled = ProcessUsage.of(operator.pid());
      double seconds = (done - t0) / 1e9;
      raw.row("cache", "fill", filler, seconds, filler / seconds, filled.cpuSince(before), apiserver().cpuSince(apiBefore));
      say(String.format(Locale.ROOT, "filled in %.1f s; operator CPU %.1f s meanwhile", seconds, filled.cpuSince(before)));
      say(usage("filled", filled));
      Thread.sleep(60_000);
      ProcessUsage idle = ProcessUsage.of(operator.pid());
      raw.row("cache", "idle-60s", cachedPods, 60.0, "-", idle.cpuSince(filled), "-");
      say(usage("after 60 s idle", idle) + String.format(Locale.ROOT, ", CPU %.1f s in those 60 s", idle.cpuSince(filled)));
      say("operator metrics: " + metrics("gangway_placement_cache_pods.*|jvm_memory_used_bytes\\{area=\"heap\".*"));
      // A small job decided and started with the cache full: the start path at this scale.
      step("cache", "trainingjob-8x8-at-" + cachedPods, 8, PodTimeline.ranksOf("late", 1),
          () -> createAll(List.of(trainingJob("late", "late", 8, ""))));
      say("operator's placement timers at the end: " + metrics(PLACEMENT_TIMERS));
    }
  }

  // --- 5. writes per job, from the audit log -----------------------------------------------------------

  /** Counts the writes of the steps not counted yet. */
  private void writesPerJob() {
    List<WriteTally.Window> uncounted = List.copyOf(windows.subList(counted, windows.size()));
    counted = windows.size();
    if (uncounted.isEmpty()) {
      return;
    }
    WriteTally tally = WriteTally.read(cluster.auditLog(), uncounted);
    say("");
    say("=== API writes in each step's window (audit log; per job and per pod of the orchestrating user) ===");
    for (WriteTally.Window w : uncounted) {
      String orchestrator = w.name().contains("trainingjob") ? OPERATOR : w.name().contains("indexed") ? JOB_CONTROLLER : ADMIN;
      int pods = podsOf(w.name());
      long podWrites = tally.writes(w.name(), orchestrator, "pods");
      say(String.format(Locale.ROOT, "%-40s %-45s pod writes %6d (%.2f per pod)  all its writes %6d  %s", w.name(), orchestrator,
          podWrites, podWrites / (double) Math.max(1, pods), tally.writes(w.name(), orchestrator), tally.byRequest(w.name(), orchestrator)));
      say("    every user's writes: " + tally.byUser(w.name()));
      raw.row("writes", w.name(), pods, "-", "-", orchestrator + " pods=" + podWrites, tally.byRequest(w.name(), orchestrator));
    }
  }

  private final Map<String, Integer> podsPerWindow = new java.util.HashMap<>();

  private int podsOf(String window) {
    return podsPerWindow.getOrDefault(window, 0);
  }

  // --- steps -------------------------------------------------------------------------------------------

  /** Runs the action (creates or injects), waits for {@code pods} pods the selector accepts to start; returns the seconds. */
  private double step(String step, String variant, int pods, Predicate<PodTimeline.Marks> selector, ThrowingRunnable action) {
    return timedStep(step, variant, pods, t -> t.awaitStarted(selector, pods, WAIT), action);
  }

  /** As above, with how to wait for the step's end given whole. */
  private double timedStep(String step, String variant, int pods, java.util.function.ToLongFunction<PodTimeline> awaitEnd,
                      ThrowingRunnable action) {
    ProcessUsage op = ProcessUsage.of(operator.pid());
    ProcessUsage api = apiserver();
    Instant from = Instant.now();
    long t0 = System.nanoTime();
    try {
      action.run();
    } catch (Exception e) {
      throw new AssertionError(step + " " + variant + ": " + e, e);
    }
    long done = awaitEnd.applyAsLong(timeline);
    String window = step + "/" + variant;
    windows.add(new WriteTally.Window(window, from, Instant.now()));
    podsPerWindow.put(window, pods);
    double seconds = (done - t0) / 1e9;
    double opCpu = ProcessUsage.of(operator.pid()).cpuSince(op);
    raw.row(step, variant, pods, seconds, pods / seconds, opCpu, apiserver().cpuSince(api));
    say(String.format(Locale.ROOT, "%-14s %-28s %6d pods %8.1f s %8.1f pods/s   operator CPU %6.1f s", step, variant, pods, seconds,
        pods / seconds, opCpu));
    return seconds;
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Creates the objects from 8 threads at once, as a busy platform's clients would; returns when every create was answered. */
  private void createAll(List<HasMetadata> objects) {
    List<Future<?>> done = new ArrayList<>();
    for (HasMetadata o : objects) {
      done.add(creators.submit(() -> client.kubernetes().resource(o).inNamespace(o.getMetadata().getNamespace() == null ? NS
          : o.getMetadata().getNamespace()).create()));
    }
    for (Future<?> f : done) {
      try {
        f.get();
      } catch (Exception e) {
        throw new AssertionError("create failed: " + e, e);
      }
    }
  }

  private void deletePods(String step) {
    client.kubernetes().pods().inNamespace(NS).withLabel(STEP, step).delete();
    timeline.awaitGone(stepPods(step), WAIT);
    timeline.forgetGone(m -> true);
  }

  private void deleteJobs(String step) {
    client.kubernetes().batch().v1().jobs().inNamespace(NS).withLabel(STEP, step)
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
    timeline.awaitGone(stepPods(step), WAIT);
    timeline.forgetGone(m -> true);
  }

  private void deleteTrainingJobs(String step, String prefix) {
    client.kubernetes().genericKubernetesResources("gangway.dev/v1alpha1", "TrainingJob").inNamespace(NS).withLabel(STEP, step).delete();
    timeline.awaitGone(m -> m.label("gangway.dev/job-name").startsWith(prefix), WAIT);
    timeline.forgetGone(m -> true);
  }

  private static Predicate<PodTimeline.Marks> stepPods(String step) {
    return m -> m.label(STEP).equals(step);
  }


  // --- objects -----------------------------------------------------------------------------------------

  private static Pod barePod(String name, String step) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).addToLabels(STEP, step).endMetadata()
        .withSpec(podSpec(8, null)).build();
  }

  private static Job indexedJob(String name, String step, int pods) {
    return new JobBuilder().withNewMetadata().withName(name).withNamespace(NS).addToLabels(STEP, step).endMetadata()
        .withNewSpec().withCompletionMode("Indexed").withCompletions(pods).withParallelism(pods).withBackoffLimit(0)
        .withNewTemplate().withNewMetadata().addToLabels(STEP, step).endMetadata().withSpec(podSpec(8, null)).endTemplate()
        .endSpec().build();
  }

  /** The same container as the TrainingJob's ranks: busybox asking for {@code gpus} GPUs. */
  private static PodSpec podSpec(int gpus, String node) {
    PodSpecBuilder spec = new PodSpecBuilder().withRestartPolicy("Never").withNodeName(node).addNewContainer().withName("trainer")
        .withImage("busybox").withNewResources()
        .addToLimits(gpus > 0 ? Map.of("nvidia.com/gpu", new Quantity(Integer.toString(gpus))) : Map.of())
        .addToRequests(gpus > 0 ? Map.of() : Map.of("cpu", new Quantity("10m"))).endResources().endContainer();
    return spec.build();
  }

  private HasMetadata trainingJob(String name, String step, int ranks, String extraSpec) {
    String manifest = Manifests.trainingJob(name, ranks, 8, extraSpec, "").replace("metadata:\n  name: " + name,
        "metadata:\n  name: " + name + "\n  namespace: " + NS + "\n  labels: {" + STEP + ": " + step + "}");
    return client.kubernetes().getKubernetesSerialization().unmarshal(manifest);
  }

  /** Whether a step may begin: not past {@code -Dgangway.bench.stopBy}; says so when it may not. */
  private boolean begins(String step) {
    if (Instant.now().isBefore(stopBy)) {
      return true;
    }
    say("");
    say("--- skipped " + step + ": past -Dgangway.bench.stopBy=" + stopBy + " ---");
    raw.row("skipped", step, "-", "-", "-", "-", "-");
    return false;
  }

  /** Prints a line of the report at once (a long run shows what it has) and keeps it for the summary at the end. */
  private void say(String line) {
    System.out.println(line);
    report.add(line);
  }

  // --- readings ----------------------------------------------------------------------------------------

  private ProcessUsage apiserver() {
    return ProcessUsage.of(cluster.pid("kube-apiserver"));
  }

  private static String usage(String when, ProcessUsage u) {
    return String.format(Locale.ROOT, "operator %s: RSS %.0f MiB, CPU %.1f s since start", when, u.rssMib(), u.cpuSeconds());
  }

  /** The operator's Prometheus lines that match the pattern (a regular expression over the whole line). */
  private String metrics(String pattern) {
    try {
      return String.join("; ", operator.metrics().lines().filter(l -> l.matches(pattern)).toList());
    } catch (IOException e) {
      return "(metrics unreadable: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }
}

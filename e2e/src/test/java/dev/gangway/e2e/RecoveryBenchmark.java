package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gangway.e2e.bench.BenchClient;
import dev.gangway.e2e.bench.PodTimeline;
import dev.gangway.e2e.bench.ProcessGroup;
import dev.gangway.e2e.bench.ProcessUsage;
import dev.gangway.e2e.bench.SampleFile;
import dev.gangway.e2e.chaos.Percentiles;
import dev.gangway.e2e.sidebyside.StartBreakdown;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Recovery time on the default path, on the `superpod` cluster (128 nodes x 8 GPUs): a 96-rank gang
 * (32 nodes spare) with node exclusion on, as the operator ships it, one fault at a time, for each kind
 * of fault: measured from the injection until every rank of the next attempt runs. Beside it, in the
 * same run, the first start of the same gang (create → every rank Running). Each transition is timed
 * by the arrival of the watch event that completed it ({@link PodTimeline}), not by polling. Prints
 * numbers and writes one line per sample; asserts no wall-clock limit, only what each fault must do
 * (the new attempt keeps off a node the fault blamed, and only such faults exclude one).
 *
 * <pre>mvn -B verify -pl e2e -Dtest=RecoveryBenchmark -Dgangway.bench=true [-Dgangway.bench.samples=20 -Dgangway.bench.starts=5]
 *   [-Dgangway.bench.kinds=crash] [-Dgangway.bench.quietSeconds=70] [-Dgangway.bench.httpClients=vertx,jdk]
 *   [-Dgangway.bench.lanes='stock:gangway.kubernetes-client.lean-reading=false;lean:'] [-Dgangway.bench.ranks=16]</pre>
 */
@EnabledIfSystemProperty(named = "gangway.bench", matches = "true")
class RecoveryBenchmark {
  /**
   * -Dgangway.bench.ranks=N (default 96): the gang's size. At 96 ranks the two cores are saturated and a step's time
   * follows its CPU work; a small gang (16) leaves them idle part of the time, so its times show the path's waits.
   */
  private static final int RANKS = Integer.getInteger("gangway.bench.ranks", 96);
  private static final String NAMESPACE = "default";
  private static final Duration WAIT = Duration.ofSeconds(300);

  /** The faults timed, each on a job of its own (so each kind's exclusions leave it the 32 spare nodes). */
  enum Kind {
    /** The training process of one rank exits 1: the program's failure, the node is not blamed. */
    CRASH("crash"),
    /** A Fatal node-health signal (XID 79) for one rank's node: a proactive restart off it, the node excluded. */
    FATAL_SIGNAL("fatal-signal"),
    /** One rank's node is deleted (lost): the gang restarts elsewhere at once, the node excluded. */
    NODE_DELETED("node-deleted");

    final String job;

    Kind(String job) {
      this.job = job;
    }

    boolean blamesNode() {
      return this != CRASH;
    }
  }

  @Test
  void recoveryOfEachKindBesideFirstStart() throws Exception {
    int samples = Integer.getInteger("gangway.bench.samples", 20);
    int starts = Integer.getInteger("gangway.bench.starts", 5);
    SampleFile raw = SampleFile.create(E2eEnvironment.WORK.resolve("bench/recovery-samples.tsv"),
        "RecoveryBenchmark: superpod (128 nodes x 8 GPUs), " + RANKS + "-rank x 8-GPU gang, exclusion on (default), backoff 0 s\n"
            + "started " + Instant.now() + "; seconds from the injection (or create) to the watch event that showed it",
        "kind", "sample", "rank", "node", "total_s", "teardown_s", "first_created_s", "all_bound_s", "excluded_nodes",
        "cause", "old_gone_s", "last_created_s", "lane", "cpu_s", "apiserver_cpu_s", "etcd_cpu_s", "kwok_cpu_s", "scheduler_cpu_s",
        "operator_cpu_s");
    // -Dgangway.bench.auditLog=true: the API server logs every write (cluster/logs/audit.log), to see where a restart's
    // time goes request by request; it costs the API server some CPU, so it is off for the figures.
    List<String> up = Boolean.getBoolean("gangway.bench.auditLog") ? List.of("--timeout", "300", "--audit-log") : List.of("--timeout", "300");
    try (LocalCluster cluster = LocalCluster.start(E2eEnvironment.REPO, E2eEnvironment.WORK.resolve("bench"), "superpod", 26500, up)) {
      cluster.installCrds();
      cluster.kubectlOk("apply", "-f", cluster.topology().toString());
      for (Lane lane : lanes()) {
        // Each lane gets an operator of its own, one after the other on the same cluster.
        try (OperatorProcess operator = OperatorProcess.start(E2eEnvironment.REPO, cluster.kubeconfig(), 26508,
            cluster.logs().resolve("operator" + (lane.name().equals("default") ? "" : "-" + lane.name()) + ".log"), lane.properties(),
            lane.environment());
             BenchClient client = BenchClient.of(cluster.kubeconfig());
             PodTimeline timeline = PodTimeline.watch(client.kubernetes(), NAMESPACE)) {
          Run run = new Run(cluster, operator, client, timeline, raw, lane.name(),
              ProcessGroup.of(cluster, operator.pid()), new Cpu());
          List<Duration> firstStarts = new ArrayList<>();
          for (int i = 1; i <= starts; i++) {
            firstStarts.add(run.firstStart("start-" + i, i));
            run.delete("start-" + i);
          }
          Map<Kind, List<Duration>> recoveries = new EnumMap<>(Kind.class);
          for (Kind kind : kinds()) {
            firstStarts.add(run.firstStart(kind.job, 0));
            List<Duration> times = new ArrayList<>();
            for (int i = 1; i <= samples; i++) {
              times.add(run.recover(kind, i));
            }
            recoveries.put(kind, times);
            run.delete(kind.job);
          }
          print(run.lane(), firstStarts, recoveries, run.cpu(), raw.path());
        }
      }
    }
  }

  /** One benchmark run's cluster, operator and watch. */
  private record Run(LocalCluster cluster, OperatorProcess operator, BenchClient client, PodTimeline timeline, SampleFile raw,
                     String lane, ProcessGroup processes, Cpu cpu) {

    /** Creates the job and waits until all its ranks run; returns create → the last rank's Running event. */
    Duration firstStart(String job, int sample) {
      if (sample != 1) {
        quiet(); // the first start is the operator's first gang anyway (a cold JVM)
      }
      Map<String, ProcessUsage> before = processes.usage();
      long t0 = System.nanoTime();
      client.create(NAMESPACE, manifest(job));
      long running = timeline.awaitStarted(PodTimeline.ranksOf(job, 1), RANKS, WAIT);
      Map<String, Double> used = processes.cpuSince(before);
      cpu.firstStarts().add(used);
      Duration took = Duration.ofNanos(running - t0);
      raw.row("first-start", sample == 0 ? job : Integer.toString(sample), "-", "-", seconds(took), "-", "-",
          seconds(Duration.ofNanos(maxMark(PodTimeline.ranksOf(job, 1), PodTimeline.Marks::bound) - t0)), 0, "-", "-",
          seconds(Duration.ofNanos(maxMark(PodTimeline.ranksOf(job, 1), PodTimeline.Marks::created) - t0)), lane, cpuColumns(used));
      return took;
    }

    /** Injects one fault of the kind into the job's current attempt and times its recovery. */
    Duration recover(Kind kind, int sample) throws Exception {
      int attempt = sample; // the job's attempt before the fault: one restart per sample
      int rank = new Random(31L * sample + kind.ordinal()).nextInt(RANKS);
      PodTimeline.Marks victim = timeline.pods(PodTimeline.ranksOf(kind.job, attempt)
          .and(m -> m.label("gangway.dev/rank").equals(Integer.toString(rank))))
          .get(0);
      String node = victim.node();
      // Fetched before the clock starts: a health agent holds its token already.
      String agentToken = kind == Kind.FATAL_SIGNAL ? Intake.healthAgentToken(cluster) : null;
      quiet();
      Map<String, ProcessUsage> before = processes.usage();
      long t0 = System.nanoTime();
      switch (kind) {
        case CRASH -> client.annotatePod(NAMESPACE, victim.name(), "gangway.dev/e2e-exit-code", "1");
        case FATAL_SIGNAL -> assertThat(Intake.postNodeHealth(operator.url(), node, "Fatal", "XID 79", agentToken)).isEqualTo(200);
        case NODE_DELETED -> client.kubernetes().nodes().withName(node).delete();
      }
      long running = timeline.awaitStarted(PodTimeline.ranksOf(kind.job, attempt + 1), RANKS, WAIT);
      Map<String, Double> used = processes.cpuSince(before);
      cpu.recoveries().computeIfAbsent(kind, k -> new ArrayList<>()).add(used);
      Duration took = Duration.ofNanos(running - t0);
      long teardown = minMark(PodTimeline.ranksOf(kind.job, attempt), PodTimeline.Marks::deleting);
      long created = minMark(PodTimeline.ranksOf(kind.job, attempt + 1), PodTimeline.Marks::created);
      long bound = maxMark(PodTimeline.ranksOf(kind.job, attempt + 1), PodTimeline.Marks::bound);
      long lastCreated = maxMark(PodTimeline.ranksOf(kind.job, attempt + 1), PodTimeline.Marks::created);
      // When the last pod of the failed attempt left the API server (a next-attempt rank on its node waits for that).
      long oldGone = timeline.pods(PodTimeline.ranksOf(kind.job, attempt)).stream().anyMatch(m -> m.gone() == PodTimeline.NEVER)
          ? PodTimeline.NEVER : maxMark(PodTimeline.ranksOf(kind.job, attempt), PodTimeline.Marks::gone);
      JsonNode status = client.trainingJob(NAMESPACE, kind.job).path("status");
      List<String> excluded = new ArrayList<>();
      status.path("excludedNodes").forEach(n -> excluded.add(n.asText()));
      JsonNode history = status.path("restartHistory");
      raw.row(kind.job, sample, rank, node, seconds(took), seconds(Duration.ofNanos(teardown - t0)),
          seconds(Duration.ofNanos(created - t0)), seconds(Duration.ofNanos(bound - t0)), excluded.size(),
          history.path(history.size() - 1).path("cause").asText("-"),
          oldGone == PodTimeline.NEVER ? "-" : seconds(Duration.ofNanos(oldGone - t0)), seconds(Duration.ofNanos(lastCreated - t0)),
          lane, cpuColumns(used));
      // What the default path must do, whatever the timing: a blamed node is excluded and avoided, a crash blames none.
      if (kind.blamesNode()) {
        assertThat(excluded).as("excluded after %s on %s", kind, node).contains(node);
        assertThat(timeline.pods(PodTimeline.ranksOf(kind.job, attempt + 1))).extracting(PodTimeline.Marks::node).doesNotContain(node);
      } else {
        assertThat(excluded).as("a crash excludes no node").isEmpty();
      }
      if (kind == Kind.FATAL_SIGNAL) {
        Intake.postNodeHealth(operator.url(), node, "Cleared", "repaired", agentToken); // other jobs may use it again; this one keeps off it
      }
      timeline.forgetGone(m -> true);
      return took;
    }

    /**
     * -Dgangway.bench.quietSeconds=N: nothing happens for N s before each timed step. Back to back, every step finds the
     * operator's API connections open from the step before; after a quiet minute its HTTP client has closed them and the
     * step opens them again (a TLS handshake each), as a restart hours into a run does.
     */
    private static void quiet() {
      long seconds = Long.getLong("gangway.bench.quietSeconds", 0);
      if (seconds > 0) {
        try {
          Thread.sleep(seconds * 1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while quiet", e);
        }
      }
    }

    void delete(String job) {
      client.deleteTrainingJob(NAMESPACE, job);
      timeline.awaitGone(m -> m.label("gangway.dev/job-name").equals(job), WAIT);
      timeline.forgetGone(m -> true);
    }


    private long minMark(Predicate<PodTimeline.Marks> selector, java.util.function.ToLongFunction<PodTimeline.Marks> mark) {
      return timeline.pods(selector).stream().mapToLong(mark).filter(t -> t != PodTimeline.NEVER).min().orElse(PodTimeline.NEVER);
    }

    private long maxMark(Predicate<PodTimeline.Marks> selector, java.util.function.ToLongFunction<PodTimeline.Marks> mark) {
      return timeline.pods(selector).stream().mapToLong(mark).max().orElse(PodTimeline.NEVER);
    }
  }


  /**
   * CPU seconds the control plane and the operator used per step, from the step's start to its watch event (every
   * process of the machine's two cores that does the step's work, so a step that needs more work than another takes
   * longer on a saturated machine whatever the operator does).
   */
  private record Cpu(List<Map<String, Double>> firstStarts, Map<Kind, List<Map<String, Double>>> recoveries) {
    Cpu() {
      this(new ArrayList<>(), new EnumMap<>(Kind.class));
    }
  }

  /** The raw file's CPU columns: all processes, then kube-apiserver, etcd, kwok, kube-scheduler and the operator. */
  private static String cpuColumns(Map<String, Double> used) {
    return java.util.stream.Stream.of(total(used), used.get("kube-apiserver"), used.get("etcd"), used.get("kwok"), used.get("kube-scheduler"),
        used.get("operator")).map(v -> String.format(Locale.ROOT, "%.2f", v)).collect(java.util.stream.Collectors.joining("\t"));
  }

  private static double total(Map<String, Double> used) {
    return used.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** An operator configuration the whole run is made with: a name for the raw file, operator properties. */
  private record Lane(String name, Map<String, String> properties, List<String> jvmOptions) {
    /** The operator's environment: the benchmark's JVM options (-Dgangway.bench.operatorJavaOptions) and the lane's. */
    Map<String, String> environment() {
      String options = String.join(" ", java.util.stream.Stream.concat(OperatorProcess.benchEnvironment().values().stream(),
          jvmOptions.stream()).toList());
      return options.isBlank() ? Map.of() : Map.of("JAVA_TOOL_OPTIONS", options);
    }
  }

  /**
   * The whole run once per lane, each with a fresh operator (default: once, as the operator ships).
   * -Dgangway.bench.lanes='name:key=value,-XX:Option;name2:...' gives the lanes by their operator properties and JVM options;
   * a JVM option cannot hold a comma here (JFR's do: give those to every lane with -Dgangway.bench.operatorJavaOptions);
   * -Dgangway.bench.httpClients=vertx,jdk is short for one lane per value of gangway.kubernetes-client.http-client.
   */
  private static List<Lane> lanes() {
    String lanes = System.getProperty("gangway.bench.lanes", "");
    if (!lanes.isBlank()) {
      List<Lane> parsed = new ArrayList<>();
      for (String lane : lanes.split(";")) {
        int colon = lane.indexOf(':');
        if (colon < 1) {
          throw new IllegalArgumentException("gangway.bench.lanes: '" + lane + "' is not name:key=value,...");
        }
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        List<String> jvmOptions = new ArrayList<>();
        for (String pair : lane.substring(colon + 1).split(",")) {
          if (pair.strip().startsWith("-")) {
            jvmOptions.add(pair.strip());
          } else if (!pair.isBlank()) {
            String[] kv = pair.split("=", 2);
            properties.put(kv[0].trim(), kv.length > 1 ? kv[1].trim() : "");
          }
        }
        parsed.add(new Lane(lane.substring(0, colon).trim(), properties, jvmOptions));
      }
      return parsed;
    }
    String wanted = System.getProperty("gangway.bench.httpClients", "");
    return wanted.isBlank() ? List.of(new Lane("default", Map.of(), List.of()))
        : java.util.Arrays.stream(wanted.split(",")).map(c -> new Lane(c, Map.of("gangway.kubernetes-client.http-client", c), List.of())).toList();
  }

  /** -Dgangway.bench.kinds=crash,fatal-signal: only those kinds (default: all). */
  private static List<Kind> kinds() {
    String wanted = System.getProperty("gangway.bench.kinds", "");
    return java.util.Arrays.stream(Kind.values()).filter(k -> wanted.isBlank() || java.util.Arrays.asList(wanted.split(",")).contains(k.job)).toList();
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static void print(String lane, List<Duration> firstStarts, Map<Kind, List<Duration>> recoveries, Cpu cpu, Path raw) {
    Percentiles start = Percentiles.of(firstStarts);
    System.out.println();
    System.out.println("=== Recovery benchmark: superpod (128 nodes x 8 GPUs), " + RANKS + "-rank gang, exclusion on, backoff 0 s, "
        + "lane: " + lane + " ===");
    System.out.println("first start (create -> all Running)      " + start);
    recoveries.forEach((kind, times) -> {
      Percentiles p = Percentiles.of(times);
      System.out.printf(Locale.ROOT, "recovery %-13s (inject -> all Running) %s   p50 / first-start p50: %.2fx%n", kind.job, p,
          p.p50().toNanos() / (double) start.p50().toNanos());
    });
    double startCpu = StartBreakdown.median(cpu.firstStarts().stream().map(RecoveryBenchmark::total).toList());
    System.out.printf(Locale.ROOT, "CPU, all processes (p50)  first start %.2f s%n", startCpu);
    cpu.recoveries().forEach((kind, used) -> {
      double recoveryCpu = StartBreakdown.median(used.stream().map(RecoveryBenchmark::total).toList());
      System.out.printf(Locale.ROOT, "CPU, all processes (p50)  recovery %-13s %.2f s   / first start: %.2fx%n", kind.job, recoveryCpu,
          recoveryCpu / startCpu);
    });
    System.out.println("raw samples: " + raw);
  }

  private static String manifest(String job) {
    return Manifests.trainingJob(job, RANKS, 8, """
          failurePolicy:
            maxRestarts: 1000
            maxInfrastructureRestarts: 1000
            backoff: {initialSeconds: 0, maxSeconds: 0}
        """, "");
  }
}

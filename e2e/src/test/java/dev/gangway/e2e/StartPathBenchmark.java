package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.e2e.bench.ProcessGroup;
import dev.gangway.e2e.bench.ProcessUsage;
import dev.gangway.e2e.bench.WriteTally;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The start path on the `small` cluster (16 nodes x 8 GPUs): {@value #JOBS} TrainingJobs of {@value #RANKS} ranks x
 * {@value #GPUS} GPUs applied at once (they fill the cluster), timed from the apply until every rank pod is Running,
 * beside the same {@value #JOBS} x {@value #RANKS} pods created bare (kube-scheduler alone, the control plane's own
 * limit here), round after round in the same run. Writes per rank are the operator's own successful writes to pods
 * from each apply until every rank pod ran (the start path; the teardown when the round's namespace is deleted is
 * not counted), read from the kube-apiserver's audit log by the operator's API user. With
 * {@code -Dgangway.bench.baseline=DIR} (a checkout whose operator is packaged, e.g. main) that operator runs the same
 * rounds first, as "before". Per round it also reads when `kubectl apply` returned and the CPU seconds each control-plane
 * process and the operator used from the apply until all ran: on two cores the start path is paced by the CPU all of
 * them share, so these say where a difference comes from. Prints numbers; asserts no wall-clock limit.
 *
 * <pre>mvn -B verify -pl e2e -Dtest=StartPathBenchmark -Dgangway.bench=true [-Dgangway.bench.rounds=5 -Dgangway.bench.baseline=DIR]</pre>
 */
@EnabledIfSystemProperty(named = "gangway.bench", matches = "true")
class StartPathBenchmark {
  private static final int JOBS = 16;
  private static final int RANKS = 2;
  private static final int GPUS = 4;
  private static final Duration WAIT = Duration.ofSeconds(300);

  /**
   * One round's readings: apply → all Running, how long `kubectl apply` itself took, the CPU seconds each process
   * of the control plane (and the operator) used in that window, and the reconciles the operator started in it (the
   * Java Operator SDK's {@code reconciliations_started_total}).
   */
  private record Round(double seconds, double applySeconds, Map<String, Double> cpuSeconds, double reconciles) {
  }

  /** The processes whose CPU a round reads: the control plane's components by the pids the cluster recorded. */

  /** One operator build measured: where it is packaged and which API user (audit identity) it runs as. */
  private record Variant(String label, Path repo, String replica) {
    String user() {
      return "gangway-operator-" + replica;
    }
  }

  @Test
  void writesPerRankAndTimeToRunningBesideBarePods() {
    int rounds = Integer.getInteger("gangway.bench.rounds", 5);
    List<Variant> variants = new ArrayList<>();
    String baseline = System.getProperty("gangway.bench.baseline");
    if (baseline != null && !baseline.isBlank()) {
      // Relative to the checkout, as the README's command gives it: surefire runs in e2e/, where ../base is another place.
      Path before = E2eEnvironment.REPO.resolve(baseline).normalize();
      variants.add(new Variant("before (" + before.getFileName() + ")", before, "a"));
    }
    variants.add(new Variant("this checkout", E2eEnvironment.REPO, "b"));
    try (LocalCluster cluster = LocalCluster.start(E2eEnvironment.REPO, E2eEnvironment.WORK.resolve("bench-start"), "small", 26700,
        List.of("--audit-log"))) {
      cluster.kubectlOk("apply", "--server-side", "-f", E2eEnvironment.REPO.resolve("crds").toString());
      // Polled, not `kubectl wait`: a CRD just created has no conditions yet, which `wait` reports as an error.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> cluster.kubectl("get", "crd", "trainingjobs.gangway.dev",
          "-o", "jsonpath={.status.conditions[?(@.type==\"Established\")].status}").stdout().strip().equals("True"));
      cluster.kubectlOk("apply", "-f", cluster.topology().toString());
      Map<String, List<Round>> measured = new LinkedHashMap<>();
      Map<String, Double> writesPerRank = new LinkedHashMap<>();
      Map<String, Double> statusWritesPerJob = new LinkedHashMap<>();
      int port = 26708;
      for (Variant variant : variants) {
        List<WriteTally.Window> starts = new ArrayList<>();
        try (OperatorProcess operator = OperatorProcess.start(variant.repo(), cluster.operatorKubeconfig(variant.replica()), port++,
            cluster.logs().resolve("operator-" + variant.replica() + ".log"), Map.of(), OperatorProcess.benchEnvironment())) {
          for (int round = 0; round < rounds; round++) {
            // Bare first, then the jobs, on the same idle cluster each time.
            measured.computeIfAbsent("bare pods (kube-scheduler alone)", k -> new ArrayList<>())
                .add(timeToRunning(cluster, "bare-" + variant.replica() + "-" + round, barePods(), new ArrayList<>(), operator));
            measured.computeIfAbsent("TrainingJobs, " + variant.label(), k -> new ArrayList<>())
                .add(timeToRunning(cluster, "jobs-" + variant.replica() + "-" + round, trainingJobs(), starts, operator));
          }
        }
        WriteTally tally = WriteTally.read(cluster.auditLog(), starts);
        long podWrites = starts.stream().mapToLong(w -> tally.writes(w.name(), variant.user(), "pods")).sum();
        long statusWrites = starts.stream().mapToLong(w -> tally.writes(w.name(), variant.user(), "trainingjobs/status")).sum();
        starts.forEach(w -> System.out.println("operator writes, " + w.name() + " (apply -> all Running): "
            + tally.byRequest(w.name(), variant.user())));
        writesPerRank.put(variant.label(), podWrites / (double) (rounds * JOBS * RANKS));
        statusWritesPerJob.put(variant.label(), statusWrites / (double) (rounds * JOBS));
      }
      assertThat(writesPerRank.values()).as("every variant created its ranks").allSatisfy(w -> assertThat(w).isPositive());
      print(rounds, measured, writesPerRank, statusWritesPerJob);
    }
  }

  /**
   * Applies {@code manifests} in a fresh namespace and returns the seconds from the apply until all {@value #JOBS} x
   * {@value #RANKS} pods are Running, as a watch (one kubectl process) sees them; then deletes the namespace. Adds
   * that window (apply → all Running) to {@code windows}, named after the namespace, for the write count. Reads the CPU
   * the control plane's processes and the operator used in that window, and the reconciles the operator started.
   */
  private static Round timeToRunning(LocalCluster cluster, String namespace, String manifests, List<WriteTally.Window> windows,
                                     OperatorProcess operator) {
    cluster.kubectlOk("create", "namespace", namespace);
    Set<String> running = ConcurrentHashMap.newKeySet();
    CountDownLatch all = new CountDownLatch(1);
    ProcessBuilder pb = new ProcessBuilder(cluster.binary("kubectl").toString(), "get", "pods", "-n", namespace, "--watch",
        "--no-headers", "-o", "custom-columns=NAME:.metadata.name,PHASE:.status.phase").redirectErrorStream(true);
    pb.environment().putAll(cluster.env());
    Process watch;
    try {
      watch = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start kubectl --watch: " + e.getMessage(), e);
    }
    long[] done = new long[1];
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          String[] fields = line.trim().split("\\s+");
          if (fields.length == 2 && fields[1].equals("Running") && running.add(fields[0]) && running.size() == JOBS * RANKS) {
            done[0] = System.nanoTime();
            all.countDown();
          }
        }
      } catch (IOException e) {
        // the watch ends when the process is destroyed
      }
    }, "bench-watch-" + namespace);
    reader.setDaemon(true);
    reader.start();
    try {
      // The watch lists first: wait until it is established on the empty namespace before the clock starts.
      Thread.sleep(1500);
      ProcessGroup processes = ProcessGroup.of(cluster, operator.pid());
      Map<String, ProcessUsage> before = processes.usage();
      double reconcilesBefore = operator.metricSum(OperatorProcess.RECONCILES_STARTED);
      Instant from = Instant.now();
      long started = System.nanoTime();
      cluster.kubectlWithInput(manifests, "apply", "-n", namespace, "-f", "-").assertOk();
      long applied = System.nanoTime();
      if (!all.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError(namespace + ": " + running.size() + " of " + JOBS * RANKS + " pods Running after " + WAIT.toSeconds()
            + " s:\n" + cluster.kubectl("get", "pods,tj", "-n", namespace, "-o", "wide").stdout());
      }
      Map<String, Double> cpu = processes.cpuSince(before);
      double reconciles = operator.metricSum(OperatorProcess.RECONCILES_STARTED) - reconcilesBefore;
      windows.add(new WriteTally.Window(namespace, from, Instant.now()));
      return new Round((done[0] - started) / 1e9, (applied - started) / 1e9, cpu, reconciles);
    } catch (IOException e) {
      throw new IllegalStateException("the operator's metrics are unreadable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      watch.destroy(); // the kubectl process this method started, by its handle
      cluster.kubectlOk("delete", "namespace", namespace, "--wait=true", "--timeout=180s");
    }
  }

  private static String trainingJobs() {
    StringBuilder all = new StringBuilder();
    for (int j = 0; j < JOBS; j++) {
      all.append("---\n").append(Manifests.trainingJob("job-" + j, RANKS, GPUS, ""));
    }
    return all.toString();
  }

  /** The same pods as the jobs' ranks, as far as kube-scheduler is concerned: GPUs, restartPolicy Never, busybox. */
  private static String barePods() {
    StringBuilder all = new StringBuilder();
    for (int j = 0; j < JOBS; j++) {
      for (int r = 0; r < RANKS; r++) {
        all.append("""
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: job-%d-r%d
            spec:
              restartPolicy: Never
              containers:
              - name: trainer
                image: busybox
                resources:
                  limits:
                    nvidia.com/gpu: %d
            """.formatted(j, r, GPUS));
      }
    }
    return all.toString();
  }

  private static void print(int rounds, Map<String, List<Round>> measured, Map<String, Double> writesPerRank,
                            Map<String, Double> statusWritesPerJob) {
    Map<String, List<Double>> seconds = new LinkedHashMap<>();
    measured.forEach((what, list) -> seconds.put(what, list.stream().map(Round::seconds).toList()));
    double bare = percentile(seconds.values().iterator().next(), 50);
    System.out.println();
    System.out.printf(Locale.ROOT, "=== Start path: small (16 nodes x 8 GPUs), %d jobs x %d ranks x %d GPUs per round, %d rounds ===%n",
        JOBS, RANKS, GPUS, rounds);
    System.out.printf(Locale.ROOT, "%-44s %4s %8s %8s %8s %9s%n", "apply -> all rank pods Running", "n", "median", "p95", "max", "vs bare");
    seconds.forEach((what, samples) -> System.out.printf(Locale.ROOT, "%-44s %4d %7.2fs %7.2fs %7.2fs %8.2fx%n", what, samples.size(),
        percentile(samples, 50), percentile(samples, 95), Collections.max(samples), percentile(samples, 50) / bare));
    System.out.printf(Locale.ROOT, "%-44s %12s %22s%n", "operator writes, apply -> all Running (audit)", "pods / rank",
        "job status / job");
    System.out.printf(Locale.ROOT, "%-44s %12.2f %22s%n", "bare pods", 1.0, "-");
    writesPerRank.forEach((what, perRank) -> System.out.printf(Locale.ROOT, "%-44s %12.2f %22.2f%n", what, perRank,
        statusWritesPerJob.get(what)));
    System.out.printf(Locale.ROOT, "%-44s %12s", "per round, medians (s)", "apply ret.");
    List<String> processes = new ArrayList<>(ProcessGroup.COMPONENTS);
    processes.add("operator");
    processes.forEach(p -> System.out.printf(Locale.ROOT, " %11s", p.replace("kube-", "")));
    System.out.printf(Locale.ROOT, " %11s %14s%n", "CPU total", "reconciles/job");
    measured.forEach((what, list) -> {
      System.out.printf(Locale.ROOT, "%-44s %12.2f", what, percentile(list.stream().map(Round::applySeconds).toList(), 50));
      processes.forEach(p -> System.out.printf(Locale.ROOT, " %11.2f", percentile(list.stream().map(r -> r.cpuSeconds().get(p)).toList(), 50)));
      // "-" for bare pods, and for a build that serves no reconcile metrics (before they were registered, 2026-12-05).
      double reconcilesPerJob = percentile(list.stream().map(r -> r.reconciles() / JOBS).toList(), 50);
      System.out.printf(Locale.ROOT, " %11.2f %14s%n", percentile(list.stream()
          .map(r -> r.cpuSeconds().values().stream().mapToDouble(Double::doubleValue).sum()).toList(), 50),
          reconcilesPerJob > 0 ? String.format(Locale.ROOT, "%.2f", reconcilesPerJob) : "-");
    });
    System.out.println("samples (s): " + seconds);
    // Round by round, to see a trend the medians hide (the operator's JVM warming up over the first rounds).
    measured.forEach((what, list) -> System.out.println("per round, " + what + ": " + list.stream()
        .map(r -> String.format(Locale.ROOT, "%.2f s (apply %.2f, operator CPU %.2f, all CPU %.2f, reconciles %.0f)", r.seconds(),
            r.applySeconds(), r.cpuSeconds().get("operator"), r.cpuSeconds().values().stream().mapToDouble(Double::doubleValue).sum(),
            r.reconciles()))
        .toList()));
  }

  private static double percentile(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}

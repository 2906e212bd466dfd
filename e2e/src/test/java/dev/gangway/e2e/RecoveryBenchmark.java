package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Recovery time on the `superpod` cluster (128 nodes x 8 GPUs): a 128-rank gang, one rank failed
 * at a time, measured from the injection until every rank of the next attempt runs; beside it, the
 * first-start time of the same job in the same run. Prints numbers; asserts no wall-clock limit.
 *
 * <pre>mvn -B verify -pl e2e -Dtest=RecoveryBenchmark -Dgangway.bench=true [-Dgangway.bench.injections=20 -Dgangway.bench.starts=5]</pre>
 */
@EnabledIfSystemProperty(named = "gangway.bench", matches = "true")
class RecoveryBenchmark {
  private static final int RANKS = 128;
  private static final String JOB = "bench";

  @Test
  void recoveryBesideFirstStart() {
    int injections = Integer.getInteger("gangway.bench.injections", 20);
    int starts = Integer.getInteger("gangway.bench.starts", 5);
    try (LocalCluster cluster = LocalCluster.start(E2eEnvironment.REPO, E2eEnvironment.WORK.resolve("bench"), "superpod", 26500)) {
      cluster.kubectlOk("apply", "--server-side", "-f", E2eEnvironment.REPO.resolve("crds").toString());
      sleepUntil(() -> cluster.kubectl("get", "crd", "trainingjobs.gangway.dev", "-o",
          "jsonpath={.status.conditions[?(@.type==\"Established\")].status}").stdout().strip().equals("True"), Duration.ofSeconds(60));
      cluster.kubectlOk("apply", "-f", cluster.topology().toString());
      try (OperatorProcess operator = OperatorProcess.start(E2eEnvironment.REPO, cluster.kubeconfig(), 26508,
          cluster.logs().resolve("operator.log"), Map.of())) {
        List<Double> firstStarts = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
          long t0 = System.nanoTime();
          cluster.kubectlWithInput(job(), "apply", "-f", "-").assertOk();
          await(cluster, "1/Running");
          firstStarts.add(seconds(t0));
          if (i < starts - 1) {
            cluster.kubectlOk("delete", "tj", JOB, "--wait=true");
            sleepUntil(() -> cluster.kubectlOk("get", "pods", "-l", "gangway.dev/job-name=" + JOB, "-o", "name").isBlank(),
                Duration.ofSeconds(120));
          }
        }
        List<Double> recoveries = new ArrayList<>();
        List<String> reported = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < injections; i++) {
          int attempt = i + 1;
          int rank = random.nextInt(RANKS);
          long t0 = System.nanoTime();
          cluster.kubectlOk("annotate", "pod", "-l", "gangway.dev/job-name=" + JOB + ",gangway.dev/attempt=" + attempt
              + ",gangway.dev/rank=" + rank, "gangway.dev/e2e-exit-code=1");
          await(cluster, (attempt + 1) + "/Running");
          recoveries.add(seconds(t0));
          reported.add(cluster.kubectlOk("get", "tj", JOB, "-o", "jsonpath={.status.timings.lastRecoverySeconds}"));
        }
        assertThat(recoveries).hasSize(injections);
        print(firstStarts, recoveries, reported);
      }
    }
  }

  private static void print(List<Double> firstStarts, List<Double> recoveries, List<String> reported) {
    double startMedian = percentile(firstStarts, 50);
    double recoveryMedian = percentile(recoveries, 50);
    System.out.println();
    System.out.println("=== Recovery benchmark: superpod (128 nodes x 8 GPUs), " + RANKS + "-rank gang, backoff 0 s ===");
    System.out.printf(Locale.ROOT, "%-36s %6s %8s %8s %8s%n", "measure", "n", "median", "p95", "max");
    System.out.printf(Locale.ROOT, "%-36s %6d %7.2fs %7.2fs %7.2fs%n", "first start (apply -> all Running)", firstStarts.size(),
        startMedian, percentile(firstStarts, 95), Collections.max(firstStarts));
    System.out.printf(Locale.ROOT, "%-36s %6d %7.2fs %7.2fs %7.2fs%n", "recovery (inject -> all Running)", recoveries.size(),
        recoveryMedian, percentile(recoveries, 95), Collections.max(recoveries));
    System.out.printf(Locale.ROOT, "recovery / first start (medians): %.2fx%n", recoveryMedian / startMedian);
    System.out.println("status.timings.lastRecoverySeconds per injection (whole seconds): " + reported);
  }

  private static void await(LocalCluster cluster, String attemptAndPhase) {
    sleepUntil(() -> cluster.kubectl("get", "tj", JOB, "-o", "jsonpath={.status.attempt}/{.status.phase}").stdout().strip()
        .equals(attemptAndPhase), Duration.ofSeconds(180));
  }

  private static void sleepUntil(java.util.function.BooleanSupplier done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + timeout.toSeconds() + " s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static double percentile(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static String job() {
    return """
        apiVersion: gangway.dev/v1alpha1
        kind: TrainingJob
        metadata:
          name: %s
          namespace: default
        spec:
          replicas: %d
          gpusPerReplica: 8
          failurePolicy:
            maxRestarts: 1000
            excludeFailedNodes: false
            backoff: {initialSeconds: 0, maxSeconds: 0}
          template:
            spec:
              containers:
              - name: trainer
                image: busybox
        """.formatted(JOB, RANKS);
  }
}

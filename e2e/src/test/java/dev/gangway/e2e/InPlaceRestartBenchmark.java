package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gangway.e2e.TrainingClients.Torch;
import dev.gangway.e2e.bench.SampleFile;
import dev.gangway.e2e.chaos.Percentiles;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a crashed training process costs until the gang trains again, with real torchrun agents on the rank pods'
 * environment (LocalRanks, on a pod network) and the packaged operator on the e2e control plane; beside it, what the
 * faults torchrun cannot restart in place cost the same job. Lanes, each sample on a job of its own, the order rotating:
 * <ul>
 *   <li>{@code in-place}: {@code failurePolicy.inPlaceRestarts: 1}: torchrun's agents restart the gang's workers
 *   themselves; nothing happens in the cluster;</li>
 *   <li>{@code gang-restart}: the default: the crashed rank's agent exits, the harness reports its exit to its pod
 *   (the kubelet's part: the pod turns Failed), Gangway restarts the gang as attempt 2 (backoff 0 s), and once its
 *   pods run the harness starts their agents (the kubelet's part again);</li>
 *   <li>{@code fatal-signal}: no crash; a Fatal node-health signal (XID 79, POSTed as a health agent does) for rank
 *   1's node: Gangway restarts the gang away from that node at once, and the harness starts the new pods' agents.
 *   Recovery is timed from the signal. What torchrun cannot restart in place, for comparison;</li>
 *   <li>{@code node-deleted}: no crash; rank 1's Node object is deleted: the same move, from Gangway's NodeLost. The
 *   node is registered again after each sample.</li>
 * </ul>
 * Recovery is the crash (the worker's own clock) to the last worker's all-reduce of the next round; the first start
 * of the same job is apply to the last worker's first all-reduce. The harness stands in for the kubelet in the gang
 * restart (relaying the crashed agent's exit as soon as it ends, starting the processes once the pods run), so that
 * lane includes its delays: about a kubectl call and a poll of 20-100 ms each way. Prints medians and ratios, also
 * against the pooled first starts of the lanes without in-place restarts (the same job), and where a gang restart's
 * time went; asserts only what each lane must do.
 *
 * <pre>mvn -B verify -pl crds,controllers,operator,e2e -Dtest=InPlaceRestartBenchmark -Dgangway.bench=true
 *   [-Dgangway.bench.samples=5] [-Dgangway.bench.ranks=2] [-Dgangway.bench.monitorInterval=0.5]
 *   [-Dgangway.bench.lanes=in-place,gang-restart,fatal-signal,node-deleted] [-Dgangway.bench.torch=PYPI_2_15]</pre>
 */
@ExtendWith(E2eEnvironment.Extension.class)
@EnabledIfSystemProperty(named = "gangway.bench", matches = "true")
class InPlaceRestartBenchmark {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int RANKS = Integer.getInteger("gangway.bench.ranks", 2);
  /** Workers per rank (torchrun's nproc-per-node, from the job's GPUs per rank). */
  private static final int WORKERS = 2;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The rank whose worker crashes in the crash lanes. */
  private static final int CRASHED_RANK = Integer.getInteger("gangway.bench.crashRank", 1);
  /** Which torch's torchrun: DEBIAN_1_13 (default) or PYPI_2_15. */
  private static final Torch TORCH = Torch.valueOf(System.getProperty("gangway.bench.torch", Torch.DEBIAN_1_13.name()));
  private final ClusterUnderTest cluster;
  private final E2eEnvironment env;
  private Kube kube;

  InPlaceRestartBenchmark(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.clusterUnderTest();
  }

  @BeforeEach
  void namespace() {
    kube = Kube.inFreshNamespace(cluster, "inplace");
  }

  @AfterEach
  void freeTheCluster() {
    kube.deleteNamespace(WAIT);
  }

  /**
   * One sample's figures, in seconds; for a gang restart also where its recovery went, from the crash: the crashed
   * rank's agent seen exited, its exit on the pod (the annotation written), the next attempt's pods with IPs (NaN in
   * the other lanes).
   */
  private record Sample(double firstStart, double recovery, double agentExited, double exitRelayed, double nextPods) {
    Sample(double firstStart, double recovery) {
      this(firstStart, recovery, Double.NaN, Double.NaN, Double.NaN);
    }
  }

  @Test
  void crashRecoveryInPlaceBesideAGangRestartAndTheFirstStart() throws Exception {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.torchrun(TORCH));
    int samples = Integer.getInteger("gangway.bench.samples", 5);
    SampleFile raw = SampleFile.create(E2eEnvironment.WORK.resolve("bench/in-place-samples.tsv"),
        "InPlaceRestartBenchmark: " + RANKS + " ranks x " + WORKERS + " torchrun workers (" + TORCH + ", gloo), backoff 0 s, monitor interval "
            + System.getProperty("gangway.bench.monitorInterval", "torchrun's default") + "\nstarted " + Instant.now()
            + "; seconds: first start = apply -> last worker's first all-reduce; recovery = crash (fatal-signal, node-deleted: the fault) -> last worker's next all-reduce",
        "lane", "sample", "first_start_s", "recovery_s", "agent_exited_s", "exit_relayed_s", "next_pods_s");
    Map<String, List<Sample>> lanes = new LinkedHashMap<>();
    List.of(System.getProperty("gangway.bench.lanes", "in-place,gang-restart,fatal-signal,node-deleted").split(","))
        .forEach(lane -> lanes.put(lane.strip(), new ArrayList<>()));
    for (int i = 1; i <= samples; i++) {
      List<String> order = new ArrayList<>(lanes.keySet());
      // Each lane goes first as often as the others: the order rotates by one per sample.
      java.util.Collections.rotate(order, -(i - 1));
      for (String lane : order) {
        Sample sample = switch (lane) {
          case "in-place" -> inPlace(clients, "ip-" + i);
          case "gang-restart" -> gangRestart(clients, "gr-" + i);
          case "fatal-signal" -> fatalSignal(clients, "fs-" + i);
          case "node-deleted" -> nodeDeleted(clients, "nd-" + i);
          default -> throw new IllegalArgumentException("unknown lane " + lane + ": in-place, gang-restart, fatal-signal or node-deleted");
        };
        lanes.get(lane).add(sample);
        raw.row(lane, i, sample.firstStart(), sample.recovery(), sample.agentExited(), sample.exitRelayed(), sample.nextPods());
      }
    }
    System.out.printf(Locale.ROOT, "%n=== InPlaceRestartBenchmark: %d ranks x %d workers, %d samples per lane (raw: %s) ===%n",
        RANKS, WORKERS, samples, raw.path());
    lanes.forEach((lane, list) -> {
      Percentiles first = percentiles(list.stream().map(Sample::firstStart).toList());
      Percentiles recovery = percentiles(list.stream().map(Sample::recovery).toList());
      System.out.printf(Locale.ROOT, "%-13s first start %s   recovery %s   p50 %.2fx the first start%n", lane, first, recovery,
          recovery.p50().toMillis() / (double) first.p50().toMillis());
      if (list.stream().noneMatch(sample -> Double.isNaN(sample.agentExited()))) {
        System.out.printf(Locale.ROOT, "%-13s from the crash, p50: agent exited %.2fs, exit on the pod %.2fs, next attempt's pods %.2fs%n", "",
            p50Seconds(list, Sample::agentExited), p50Seconds(list, Sample::exitRelayed), p50Seconds(list, Sample::nextPods));
      }
    });
    // The lanes without in-place restarts start the same job: their first starts together are the steadier baseline.
    List<Double> staticStarts = lanes.entrySet().stream().filter(e -> !e.getKey().equals("in-place"))
        .flatMap(e -> e.getValue().stream().map(Sample::firstStart)).toList();
    if (!staticStarts.isEmpty()) {
      Percentiles pooled = percentiles(staticStarts);
      System.out.printf(Locale.ROOT, "first start of the lanes without in-place restarts, pooled: %s%n", pooled);
      lanes.forEach((lane, list) -> System.out.printf(Locale.ROOT, "%-13s recovery p50 %.2fx the pooled first start%n", lane,
          percentiles(list.stream().map(Sample::recovery).toList()).p50().toMillis() / (double) pooled.p50().toMillis()));
    }
  }

  /** A job with in-place restarts: torchrun restarts the gang itself; the job stays in attempt 1 with its pods. */
  private Sample inPlace(TrainingClients clients, String job) {
    double applied = now();
    kube.apply(manifest(job, 1));
    LocalRanks ranks = AttemptPods.onPodNetwork(kube, job, 1, WAIT);
    LocalRanks.Run run = ranks.run(harness(), false, torchrun(clients));
    assertThat(run.exitCode()).as(run.describe()).isZero();
    WorkerRounds rounds = WorkerRounds.of(run);
    assertThat(rounds.crashed()).as(run.describe()).isTrue();
    assertThat(rounds.reportsByRank()).as(run.describe()).hasSize(RANKS * WORKERS);
    assertThat(rounds.completeRounds()).as(run.describe()).isEqualTo(2);
    assertThat(kube.get("tj", job).path("status").path("attempt").asInt()).as("no gang restart").isEqualTo(1);
    Sample sample = new Sample(rounds.formed(1) - applied, rounds.formed(2) - rounds.crashedAt());
    kube.kubectl("delete", "tj", job, "--wait=true");
    return sample;
  }

  /**
   * A job without: the crashed rank's agent exits, its pod fails, Gangway restarts the gang, its new pods' agents
   * start. The harness plays the kubelet: it relays the crashed rank's exit the moment that agent ends (not when the
   * other agents notice), and stops the old agents once the new attempt's pods exist (Gangway deleted the old ones).
   */
  private Sample gangRestart(TrainingClients clients, String job) {
    double applied = now();
    kube.apply(manifest(job, 0));
    LocalRanks.Started old = AttemptPods.onPodNetwork(kube, job, 1, WAIT).start(harness(), false, torchrun(clients));
    double agentExited;
    double exitRelayed;
    double nextPods;
    LocalRanks next;
    try {
      int exitCode = old.awaitExit(CRASHED_RANK, WAIT);
      agentExited = now();
      assertThat(exitCode).as("torchrun's status when a worker failed").isNotZero();
      kube.kubectl("annotate", "pod", "-l", "gangway.dev/job-name=" + job + ",gangway.dev/attempt=1,gangway.dev/rank=" + CRASHED_RANK,
          "gangway.dev/e2e-exit-code=" + exitCode);
      exitRelayed = now();
      next = AttemptPods.onPodNetwork(kube, job, 2, WAIT);
      nextPods = now();
    } finally {
      // As the kubelet stops a deleted pod's containers; also when the sample fails, so no agent outlives it.
      old.stop();
    }
    LocalRanks.Run first = old.finish();
    WorkerRounds before = WorkerRounds.of(first);
    assertThat(before.crashed()).as(first.describe()).isTrue();
    assertThat(before.reportsByRank()).as(first.describe()).hasSize(RANKS * WORKERS);
    LocalRanks.Run second = next.run(harness(), false, torchrun(clients));
    assertThat(second.exitCode()).as(second.describe()).isZero();
    WorkerRounds after = WorkerRounds.of(second);
    assertThat(after.reportsByRank()).as(second.describe()).hasSize(RANKS * WORKERS);
    double crashed = before.crashedAt();
    Sample sample = new Sample(before.formed(1) - applied, after.formed(1) - crashed, agentExited - crashed, exitRelayed - crashed,
        nextPods - crashed);
    kube.kubectl("delete", "tj", job, "--wait=true");
    return sample;
  }

  /** A healthy gang moved off a node by a Fatal health signal: no process fails, the pods are replaced elsewhere. */
  private Sample fatalSignal(TrainingClients clients, String job) throws Exception {
    String agent = Intake.healthAgentToken(cluster);
    return movedOffItsNode(clients, job, node -> {
      assertThat(Intake.postNodeHealth(env.operator().url(), node, "Fatal", "XID 79", agent)).isEqualTo(200);
      return () -> Intake.postNodeHealth(env.operator().url(), node, "Cleared", "XID 79", agent);
    });
  }

  /**
   * A healthy gang whose rank-1 node is deleted (a machine taken away, as a cloud's repair does): Gangway restarts the
   * gang elsewhere. The node is registered again under its name after the sample, for the samples that follow.
   */
  private Sample nodeDeleted(TrainingClients clients, String job) throws Exception {
    return movedOffItsNode(clients, job, node -> {
      ObjectNode saved = (ObjectNode) JSON.readTree(cluster.kubectl("get", "node", node, "-o", "json").assertOk().stdout());
      String replacement = NodeReplacement.manifest(saved);
      cluster.kubectl("delete", "node", node, "--wait=false").assertOk();
      return () -> cluster.kubectlWithInput(replacement, "create", "-f", "-").assertOk();
    });
  }

  /** What a node lane does to the node, at the clock's start; returns what undoes it after the sample. */
  private interface NodeFault {
    Undo apply(String node) throws Exception;
  }

  private interface Undo {
    void run() throws Exception;
  }

  /**
   * A healthy gang that must move: its first attempt trains (no crash), then {@code fault} strikes rank 1's node and
   * Gangway places attempt 2 elsewhere; the harness starts its agents once its pods run. Timed from the fault.
   */
  private Sample movedOffItsNode(TrainingClients clients, String job, NodeFault fault) throws Exception {
    double applied = now();
    kube.apply(manifest(job, 0));
    Map<String, String> noCrash = harness();
    noCrash.put("CRASH_RANK", "-1");
    LocalRanks.Run first = AttemptPods.onPodNetwork(kube, job, 1, WAIT).run(noCrash, false, torchrun(clients));
    assertThat(first.exitCode()).as(first.describe()).isZero();
    double started = WorkerRounds.of(first).formed(1);
    String node = kube.get("pods", "-l", "gangway.dev/job-name=" + job + ",gangway.dev/attempt=1,gangway.dev/rank=1")
        .path("items").get(0).path("spec").path("nodeName").asText();
    double struck = now();
    Undo undo = fault.apply(node);
    try {
      LocalRanks.Run second = AttemptPods.onPodNetwork(kube, job, 2, WAIT).run(noCrash, false, torchrun(clients));
      assertThat(second.exitCode()).as(second.describe()).isZero();
      WorkerRounds after = WorkerRounds.of(second);
      assertThat(after.reportsByRank()).as(second.describe()).hasSize(RANKS * WORKERS);
      assertThat(kube.get("pods", "-l", "gangway.dev/job-name=" + job + ",gangway.dev/attempt=2").path("items"))
          .as("attempt 2 keeps off " + node).allSatisfy(pod -> assertThat(pod.path("spec").path("nodeName").asText()).isNotEqualTo(node));
      Sample sample = new Sample(started - applied, after.formed(1) - struck);
      kube.kubectl("delete", "tj", job, "--wait=true");
      return sample;
    } finally {
      undo.run();
    }
  }

  private static String manifest(String job, int inPlaceRestarts) {
    String policy = inPlaceRestarts > 0 ? "inPlaceRestarts: " + inPlaceRestarts + "\n    maxRestarts: 3" : "maxRestarts: 3";
    return Manifests.trainingJob(job, RANKS, WORKERS, Manifests.failurePolicy(policy, 0));
  }

  /** What only the harness needs: torch 1.13's output flags, which worker crashes (a worker of rank 1), the monitor interval. */
  private static Map<String, String> harness() {
    Map<String, String> env = new HashMap<>(Map.of("PET_REDIRECTS", "1", "PET_TEE", "1",
        "CRASH_RANK", Integer.toString(WORKERS * CRASHED_RANK)));
    String interval = System.getProperty("gangway.bench.monitorInterval");
    if (interval != null) {
      env.put("PET_MONITOR_INTERVAL", interval);
    }
    return env;
  }

  private static List<String> torchrun(TrainingClients clients) {
    return List.of(clients.torchrun(TORCH).toString(), TrainingClients.script("crash_once_torch.py").toString());
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  private static double p50Seconds(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> figure) {
    return percentiles(samples.stream().map(figure::applyAsDouble).toList()).p50().toMillis() / 1000.0;
  }

  private static Percentiles percentiles(List<Double> seconds) {
    return Percentiles.of(seconds.stream().map(v -> Duration.ofMillis(Math.round(v * 1000))).toList());
  }
}

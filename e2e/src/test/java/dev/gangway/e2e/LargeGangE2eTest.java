package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gangway.e2e.bench.BenchClient;
import dev.gangway.e2e.bench.PodTimeline;
import dev.gangway.e2e.bench.WriteTally;
import dev.gangway.e2e.chaos.AuditEvent;
import dev.gangway.e2e.chaos.DeletedJob;
import dev.gangway.e2e.chaos.InvariantChecker;
import dev.gangway.e2e.chaos.SnapshotReader;
import dev.gangway.e2e.chaos.Violation;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A gang of 120 ranks, the whole `small` cluster but one node (16 nodes x 8 GPUs), on the real control plane with the
 * packaged operator. The other e2e tests run gangs of 1–4 ranks; this one drives, in `./gangway test`, what only a big
 * gang exercises: many writes in flight, paced status writes, pod events batched into few reconciles, a teardown of
 * a whole attempt and a next attempt whose ranks wait for their nodes. The chaos run's invariants (no two live pods
 * for one rank and attempt, no old attempt running beside the new, no GPU booked twice, no pod of a deleted job left)
 * are checked on snapshots of the cluster taken throughout, not only at the end.
 */
@ExtendWith(E2eEnvironment.Extension.class)
class LargeGangE2eTest {
  private static final int RANKS = 120;
  private static final int GPUS_PER_NODE = 8;
  private static final Duration WAIT = Duration.ofSeconds(120);
  private final ClusterUnderTest cluster;
  private Kube kube;

  LargeGangE2eTest(E2eEnvironment env) {
    this.cluster = env.clusterUnderTest();
  }

  @BeforeEach
  void namespace() {
    cluster.assume(Capability.SMALL_GPU_CLUSTER);
    kube = Kube.inFreshNamespace(cluster, "large");
  }

  @AfterEach
  void emptyTheCluster() {
    if (kube != null) {
      kube.deleteNamespace(WAIT);
    }
  }

  @Test
  void aGangOf120RanksIsPackedRestartedAsOneAfterACrashAndLeavesNothingWhenDeleted() throws Exception {
    cluster.assume(Capability.RANK_EXIT_CODES);
    List<DeletedJob> deleted = new CopyOnWriteArrayList<>();
    try (BenchClient client = BenchClient.of(cluster.kubeconfig());
         PodTimeline timeline = PodTimeline.watch(client.kubernetes(), kube.namespace());
         SnapshotLoop snapshots = new SnapshotLoop(deleted)) {
      long applied = System.nanoTime();
      Instant startFrom = Instant.now();
      kube.apply(Manifests.trainingJob("big", RANKS, 1, Manifests.failurePolicy("maxRestarts: 3", 0)));
      awaitAttemptRunning(1);
      long jobRunning = System.nanoTime();
      Instant startTo = Instant.now();
      System.out.printf("LargeGangE2eTest: %d ranks Running %.1f s after the apply (the job's phase seen Running at %.1f s); %s%n", RANKS,
          (timeline.awaitStarted(PodTimeline.ranksOf("big", 1), RANKS, WAIT) - applied) / 1e9, (jobRunning - applied) / 1e9,
          stages(timeline, 1, applied));
      assertPacked(1);
      assertRendezvous(1);

      long crashed = System.nanoTime();
      Instant restartFrom = Instant.now();
      cluster.faults().exitRanks(kube, "gangway.dev/job-name=big,gangway.dev/rank=77", 1);
      awaitAttemptRunning(2);
      jobRunning = System.nanoTime();
      System.out.printf("LargeGangE2eTest: attempt 2's ranks Running %.1f s after rank 77 crashed (the job's phase seen Running at %.1f s); %s%n",
          (timeline.awaitStarted(PodTimeline.ranksOf("big", 2), RANKS, WAIT) - crashed) / 1e9, (jobRunning - crashed) / 1e9,
          stages(timeline, 2, crashed));
      JsonNode status = kube.get("tj", "big").path("status");
      assertThat(status.path("restarts").asInt()).isEqualTo(1);
      assertThat(status.path("restartHistory")).hasSize(1);
      assertThat(status.path("restartHistory").get(0).path("exitCode").asInt()).isEqualTo(1);
      assertThat(status.has("excludedNodes")).as("a crash excludes no node").isFalse();
      assertPacked(2);
      assertRendezvous(2);

      String uid = kube.get("tj", "big").path("metadata").path("uid").asText();
      Instant restartTo = Instant.now();
      kube.kubectl("delete", "tj", "big", "--wait=false");
      deleted.add(new DeletedJob(kube.namespace(), "big", uid, Instant.now()));
      await("the deleted job's pods gone").atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kube.pods("big")).isEmpty());

      snapshots.stop();
      System.out.printf("LargeGangE2eTest: %d snapshots of the cluster checked%n", snapshots.taken());
      assertThat(snapshots.taken()).as("snapshots of the cluster taken during the run").isGreaterThan(5);
      assertThat(snapshots.violations()).as("invariant violations over %d snapshots", snapshots.taken()).isEmpty();
      if (cluster instanceof LocalCluster local) {
        assertPodWrites(local, new WriteTally.Window("start", startFrom, startTo), new WriteTally.Window("restart", restartFrom, restartTo));
      }
    }
  }

  /**
   * What the operator asked of the API server for this job's pods, from the audit log of the control plane the suite
   * started (the operator's user agent names it): one create per rank to start, one delete and one create per rank to
   * restart, no patch, and none answered with a conflict or a 404, i.e. no write repeated or sent on a stale read.
   */
  private void assertPodWrites(LocalCluster local, WriteTally.Window start, WriteTally.Window restart) throws IOException {
    String namespaceField = "\"namespace\":\"" + kube.namespace() + "\"";
    List<AuditEvent> writes;
    try (var lines = java.nio.file.Files.lines(local.auditLog())) {
      writes = AuditEvent.parse(lines.filter(l -> l.contains(namespaceField) && l.contains("ResponseComplete")).toList()).stream()
          .filter(e -> e.write() && "pods".equals(e.resource()) && e.userAgent().startsWith("gangway-operator-"))
          .toList();
    }
    WriteTally tally = WriteTally.of(writes.stream(), List.of(start, restart));
    System.out.printf("LargeGangE2eTest: the operator's pod writes: to start %s, to restart %s%n", tally.byRequest(start.name()),
        tally.byRequest(restart.name()));
    assertThat(writes.stream().filter(e -> !e.succeeded()).map(AuditEvent::describe)).as("operator pod writes refused").isEmpty();
    assertThat(tally.byRequest(start.name())).as("the operator's pod writes to start %d ranks", RANKS).isEqualTo(Map.of("create pods", (long) RANKS));
    assertThat(tally.byRequest(restart.name())).as("the operator's pod writes to restart %d ranks", RANKS)
        .isEqualTo(Map.of("delete pods", (long) RANKS, "create pods", (long) RANKS));
  }

  /** When the attempt's pods were created, bound and Running, in seconds after {@code from} (first–last): where the time went. */
  private static String stages(PodTimeline timeline, int attempt, long from) {
    List<PodTimeline.Marks> pods = timeline.pods(PodTimeline.ranksOf("big", attempt));
    return String.format(java.util.Locale.ROOT, "attempt %d's pods created %s, bound %s, Running %s s", attempt,
        span(pods, PodTimeline.Marks::created, from), span(pods, PodTimeline.Marks::bound, from), span(pods, PodTimeline.Marks::started, from));
  }

  private static String span(List<PodTimeline.Marks> pods, java.util.function.ToLongFunction<PodTimeline.Marks> mark, long from) {
    var times = pods.stream().mapToLong(mark).filter(t -> t != PodTimeline.NEVER).summaryStatistics();
    return times.getCount() == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.2f–%.2f", (times.getMin() - from) / 1e9, (times.getMax() - from) / 1e9);
  }

  private void awaitAttemptRunning(int attempt) {
    await("big attempt " + attempt + " Running").atMost(WAIT).untilAsserted(() -> {
      JsonNode status = kube.get("tj", "big").path("status");
      assertThat(status.path("attempt").asInt()).as(() -> kube.describe("big")).isEqualTo(attempt);
      assertThat(status.path("phase").asText()).as(() -> kube.describe("big")).isEqualTo("Running");
    });
  }

  /**
   * One pod per rank, all of this attempt, on the fewest nodes (120 GPUs: 15 whole nodes), and the ranks of each node
   * consecutive, so that a ring over the ranks leaves each node once.
   */
  private void assertPacked(int attempt) {
    List<JsonNode> pods = kube.pods("big");
    Map<Integer, String> nodeOfRank = new TreeMap<>();
    for (JsonNode pod : pods) {
      JsonNode labels = pod.path("metadata").path("labels");
      assertThat(labels.path("gangway.dev/attempt").asText()).as(pod.path("metadata").path("name").asText()).isEqualTo(Integer.toString(attempt));
      String previous = nodeOfRank.put(labels.path("gangway.dev/rank").asInt(), pod.path("spec").path("nodeName").asText());
      assertThat(previous).as("a second pod for rank %s", labels.path("gangway.dev/rank").asText()).isNull();
    }
    assertThat(nodeOfRank.keySet()).hasSize(RANKS).first().isEqualTo(0);
    assertThat(nodeOfRank.values()).doesNotContain("");
    assertThat(nodeOfRank.values().stream().distinct().count()).as("nodes of %s", nodeOfRank).isEqualTo(RANKS / GPUS_PER_NODE);
    List<String> runs = new ArrayList<>();
    nodeOfRank.values().forEach(node -> {
      if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(node)) {
        runs.add(node);
      }
    });
    assertThat(runs).as("nodes in rank order (a node twice means its ranks are not consecutive)").doesNotHaveDuplicates();
  }

  /** Every rank knows the world and rank 0, and its own rank: what torchrun needs to form a world of 120. */
  private void assertRendezvous(int attempt) {
    String master = "big-0.big." + kube.namespace() + ".svc";
    for (JsonNode pod : kube.pods("big")) {
      Map<String, String> env = new TreeMap<>();
      pod.path("spec").path("containers").get(0).path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
      assertThat(env).containsEntry("WORLD_SIZE", Integer.toString(RANKS))
          .containsEntry("RANK", pod.path("metadata").path("labels").path("gangway.dev/rank").asText())
          .containsEntry("MASTER_ADDR", master)
          .containsEntry("GANGWAY_ATTEMPT", Integer.toString(attempt));
    }
  }

  /** Snapshots of the whole cluster every half second on a thread of its own, each checked as the chaos run checks its. */
  private final class SnapshotLoop implements AutoCloseable {
    private final List<Violation> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger taken = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    SnapshotLoop(List<DeletedJob> deleted) {
      thread = new Thread(() -> {
        while (running) {
          SnapshotReader.take(cluster).ifPresent(s -> {
            violations.addAll(InvariantChecker.STANDARD.check(s, List.copyOf(deleted), List.of()));
            taken.incrementAndGet();
          });
          try {
            Thread.sleep(500);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }, "large-gang-snapshots");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false; // not an interrupt: that would fail the kubectl under way
      thread.join(Duration.ofMinutes(2).toMillis());
    }

    int taken() {
      return taken.get();
    }

    List<Violation> violations() {
      return violations;
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}

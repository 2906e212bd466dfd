package dev.gangway.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random interleavings of decisions, pod creations, bindings, job ends, operator restarts and an
 * informer cache that shows each pod late and independently of the other pods. Whatever the order, the
 * live decisions never hold more GPUs on a node than it has, and kube-scheduler can always bind what was
 * decided.
 *
 * <p>Jobs follow {@code GangPlacementStep}'s rule: a gang is decided before its pods exist, once; while the
 * placer holds the decision or the pods show it, the job only creates the pods still missing, each pinned
 * and annotated. A decision whose pods were not created when its operator stopped is made again.
 */
class ReservationInterleavingsTest {
  private static final int NODES = 6;
  private static final int GPUS = 8;
  private static final int STEPS = 300;

  static LongStream seeds() {
    return LongStream.range(1, 101);
  }

  /** What the API server holds for one rank pod. */
  private static final class Truth {
    final String job;
    final int gpus;
    String reserved;
    boolean released;
    String bound;

    Truth(String job, int gpus) {
      this.job = job;
      this.gpus = gpus;
    }
  }

  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Truth> server = new LinkedHashMap<>();
  private final Map<String, Pod> cache = new LinkedHashMap<>();
  private final Map<String, List<String>> ranksOfJob = new LinkedHashMap<>();
  private final Map<String, Integer> gpusOfJob = new HashMap<>();
  /** One second a step: creation deadlines are far off, as pods are created within the reconcile that decides. */
  private java.time.Instant now = java.time.Instant.parse("2026-12-02T09:00:00Z");
  /** The decisions in force, job → pod → node: what must fit. */
  private final Map<String, Map<String, String>> live = new HashMap<>();
  private CacheFeed informer = new CacheFeed();
  private GangPlacer placer = new GangPlacer(new PlacementEngine(), informer.cache());
  private int decisions;
  private int bindings;

  ReservationInterleavingsTest() {
    for (int i = 0; i < NODES; i++) {
      Node n = SnapshotFactoryTest.node("n" + i, "True", false);
      n.getSpec().setTaints(List.<Taint>of());
      nodes.add(n);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void liveDecisionsNeverOverCommitANodeAndKubeSchedulerCanBindEveryDecidedRank(long seed) {
    Random random = new Random(seed);
    int created = 0;
    for (int step = 0; step < STEPS; step++) {
      now = now.plusSeconds(1);
      int action = random.nextInt(100);
      if (action < 12 && ranksOfJob.size() < 6) {
        create("j" + created++, 1 + random.nextInt(4), List.of(2, 4, 8).get(random.nextInt(3)));
      } else if (action < 40) {
        pick(random, new ArrayList<>(ranksOfJob.keySet())).ifPresent(this::reconcile);
      } else if (action < 60) {
        String pod = pick(random, server.keySet().stream().filter(p -> server.get(p).released && server.get(p).bound == null).toList())
            .orElse(null);
        if (pod != null) {
          assertThat(bind(pod)).as("seed %d, step %d: kube-scheduler binds %s to its reserved node", seed, step, pod).isTrue();
        }
      } else if (action < 67) {
        pick(random, new ArrayList<>(ranksOfJob.keySet())).ifPresent(this::finish);
      } else if (action < 99) {
        List<String> known = new ArrayList<>(server.keySet());
        known.addAll(cache.keySet());
        pick(random, known).ifPresent(this::catchUp);
      } else {
        // A new leader: nothing in memory, and its informers list what the API server holds now.
        informer = new CacheFeed();
        placer = new GangPlacer(new PlacementEngine(), informer.cache());
        List<String> all = new ArrayList<>(cache.keySet());
        all.addAll(server.keySet());
        all.forEach(this::catchUp);
      }
      assertThat(overCommitted()).as("seed %d, step %d: GPUs held by live decisions per node", seed, step).isEmpty();
    }
    assertThat(decisions).as("seed %d made decisions", seed).isPositive();
    assertThat(bindings).as("seed %d bound ranks", seed).isPositive();
  }

  /** A job applied: no pod exists until its gang is placed. */
  private void create(String job, int ranks, int gpus) {
    List<String> pods = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      pods.add(job + "-" + r);
    }
    ranksOfJob.put(job, pods);
    gpusOfJob.put(job, gpus);
  }

  /** The job's reconcile, as GangPlacementStep does it, on what the cache shows. */
  private void reconcile(String job) {
    List<String> ranks = ranksOfJob.get(job);
    Map<String, String> held = placer.decisionOf("ns/" + job);
    Map<String, String> decided = new LinkedHashMap<>();
    for (String pod : ranks) {
      String node = held.getOrDefault("ns/" + pod, cache.containsKey(pod) ? reservedNode(cache.get(pod)) : null);
      if (node != null) {
        decided.put(pod, node);
      }
    }
    if (decided.size() < ranks.size()) {
      if (ranks.stream().anyMatch(cache::containsKey)) {
        return; // pods of a decision this placer does not hold: the step voids it, not modelled here
      }
      GangRequest request = GangRequest.builder("ns/" + job).replicas(ranks.size()).gpusPerRank(gpusOfJob.get(job)).build();
      informer.show(nodes, new ArrayList<>(cache.values()));
      PlacementResult result = placer.place(Clusters.THREE_LEVELS, request, ranks.stream().map(p -> "ns/" + p).toList(), List.of(),
          java.util.Set.of(), now, now.plusSeconds(3600));
      if (!result.placed()) {
        return;
      }
      decisions++;
      decided.clear();
      for (int r = 0; r < ranks.size(); r++) {
        decided.put(ranks.get(r), result.nodeOf(r));
      }
      live.put(job, decided);
    }
    // The decision is persisted; each missing pod is created pinned and annotated (a create done already is refused).
    decided.forEach((pod, node) -> server.computeIfAbsent(pod, p -> {
      Truth t = new Truth(job, gpusOfJob.get(job));
      t.reserved = node;
      t.released = true;
      return t;
    }));
  }

  /** kube-scheduler binds the released pod to its reserved node if the node's bound pods leave room. */
  private boolean bind(String pod) {
    Truth t = server.get(pod);
    int used = server.values().stream().filter(o -> t.reserved.equals(o.bound)).mapToInt(o -> o.gpus).sum();
    if (used + t.gpus > GPUS) {
      return false;
    }
    t.bound = t.reserved;
    bindings++;
    return true;
  }

  /** Job deleted, suspended or finished: its pods go, and its decision with them. */
  private void finish(String job) {
    ranksOfJob.remove(job).forEach(server::remove);
    gpusOfJob.remove(job);
    live.remove(job);
    placer.release("ns/" + job);
  }

  private void catchUp(String pod) {
    Truth t = server.get(pod);
    if (t == null) {
      cache.remove(pod);
      return;
    }
    cache.put(pod, SnapshotFactoryTest.pod(pod, t.job, t.bound, t.bound == null ? "Pending" : "Running", t.reserved,
        Integer.toString(t.gpus), "1"));
  }

  private Map<String, Integer> overCommitted() {
    Map<String, Integer> held = new TreeMap<>();
    live.forEach((job, ranks) -> ranks.forEach((pod, node) -> held.merge(node, gpusOfJob.get(job), Integer::sum)));
    held.values().removeIf(gpus -> gpus <= GPUS);
    return held;
  }

  private static String reservedNode(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(SnapshotFactory.RESERVED_NODE_ANNOTATION);
  }

  private static <T> java.util.Optional<T> pick(Random random, List<T> from) {
    return from.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(from.get(random.nextInt(from.size())));
  }
}

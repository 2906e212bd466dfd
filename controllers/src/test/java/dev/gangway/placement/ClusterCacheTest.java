package dev.gangway.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cache kept one event at a time equals a snapshot rebuilt from every pod and node, whatever the events: pods
 * added, changed (bound, moved to another node, reserved, terminated, marked for deletion, resized), deleted and
 * created again under their name; nodes added, relabelled, resized, tainted, cordoned, gone NotReady and deleted,
 * with pods still bound to them. Seeded, so a failure names the seed and step that reproduce it.
 */
class ClusterCacheTest {
  private static final Topology TOPOLOGY = Clusters.THREE_LEVELS;
  private static final int STEPS = 300;
  private static final List<String> NODES = List.of("n0", "n1", "n2", "n3", "n4", "n5");
  /** Jobs whose own reservations count as free to them, and one with none. */
  private static final List<String> JOBS = List.of("ns-a/job0", "ns-b/job1", "ns-b/extra", "ns-a/none");
  private static final PlacementEngine ENGINE = new PlacementEngine();
  /** Decisions that read free GPUs, CPU and memory, open nodes, selectors and a job's own reservations. */
  private static final List<GangRequest> GANGS = List.of(
      GangRequest.builder("ns-a/job0").replicas(2).gpusPerRank(2).preferred("rack").build(),
      GangRequest.builder("ns-b/job1").replicas(3).perRank(new Resources(1, 2000, 8L << 30)).exclude("n2").build(),
      GangRequest.builder("ns-b/extra").replicas(2).gpusPerRank(4).required("rack").build(),
      GangRequest.builder("ns-a/none").replicas(1).gpusPerRank(1).nodeSelector(Map.of(Clusters.RACK, "r1")).build());

  static LongStream seeds() {
    return LongStream.range(1, 81);
  }

  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private final ClusterCache cache = new ClusterCache();
  private int uids;

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void afterAnyEventsTheCacheEqualsARebuildFromEveryPodAndNode(long seed) {
    Random random = new Random(seed);
    for (int step = 0; step < STEPS; step++) {
      int action = random.nextInt(100);
      if (action < 45) {
        putPod(random);
      } else if (action < 60) {
        pick(random, new ArrayList<>(pods.keySet())).ifPresent(key -> {
          pods.remove(key);
          cache.removePod(key);
        });
      } else if (action < 90) {
        Node node = node(random);
        nodes.put(node.getMetadata().getName(), node);
        cache.put(node);
      } else {
        pick(random, new ArrayList<>(nodes.keySet())).ifPresent(name -> {
          nodes.remove(name);
          cache.removeNode(name);
        });
      }
      Set<String> ignored = new HashSet<>();
      pods.keySet().stream().filter(k -> random.nextInt(8) == 0).forEach(ignored::add);
      ignored.add("ns-a/never-cached");
      List<Reservation> extra = random.nextBoolean() ? List.of() : List.of(new Reservation("ns-b/extra", "n1", Resources.gpus(2)));
      assertEqual(seed, step, cache.read(ignored).snapshot(TOPOLOGY, ignored, extra),
          SnapshotFactory.from(TOPOLOGY, new ArrayList<>(nodes.values()),
              pods.values().stream().filter(p -> !ignored.contains(SnapshotFactory.podKey(p))).toList(), extra));
    }
  }

  @Test
  void aNodeDeletedAndAddedAgainCountsThePodsStillBoundToIt() {
    Node n0 = SnapshotFactoryTest.node("n0", "True", false);
    cache.put(n0);
    cache.put(SnapshotFactoryTest.pod("a", "a", "n0", "Running", null, "4", "1"));
    cache.removeNode("n0");
    assertThat(cache.read(Set.of()).nodes()).isEmpty();
    cache.put(n0);
    assertThat(cache.read(Set.of()).nodes()).singleElement().satisfies(n -> assertThat(n.used().gpus()).isEqualTo(4));
  }

  @Test
  void aPodThatAsksForNothingCanLeaveANodeWhoseOtherPodsLeftFirst() {
    cache.put(SnapshotFactoryTest.node("n0", "True", false));
    Pod nothing = SnapshotFactoryTest.pod("idle", "idle", "n0", "Running", null, "0", "0");
    cache.put(nothing);
    cache.put(SnapshotFactoryTest.pod("a", "a", "n0", "Running", null, "4", "1"));
    cache.removePod("ns/a");
    cache.removePod("ns/idle");
    assertThat(cache.read(Set.of()).nodes()).singleElement().satisfies(n -> assertThat(n.used()).isEqualTo(Resources.NONE));
  }

  @Test
  void aReadIsNotChangedByEventsAfterIt() {
    cache.put(SnapshotFactoryTest.node("n0", "True", false));
    ClusterCache.Reading before = cache.read(Set.of());
    cache.put(SnapshotFactoryTest.pod("a", "a", "n0", "Running", null, "4", "1"));
    cache.put(SnapshotFactoryTest.pod("b", "b", null, "Pending", "n0", "4", "1"));
    assertThat(before.nodes()).singleElement().satisfies(n -> assertThat(n.used()).isEqualTo(Resources.NONE));
    assertThat(before.reserving()).isEmpty();
    assertThat(cache.read(Set.of()).snapshot(TOPOLOGY).freeFor("ns/x", 0).gpus()).isZero();
    assertThat(before.snapshot(TOPOLOGY).freeFor("ns/x", 0).gpus()).as("a read taken before the events").isEqualTo(8);
  }

  private static void assertEqual(long seed, int step, ClusterSnapshot incremental, ClusterSnapshot rebuilt) {
    assertThat(incremental.nodes()).as("seed %d, step %d: nodes with their use", seed, step).isEqualTo(rebuilt.nodes());
    assertThat(sorted(incremental.reservations())).as("seed %d, step %d: reservations", seed, step)
        .isEqualTo(sorted(rebuilt.reservations()));
    assertThat(incremental.tree().freeGpusById()).as("seed %d, step %d: free GPUs per domain", seed, step)
        .isEqualTo(rebuilt.tree().freeGpusById());
    assertThat(shape(incremental.tree())).as("seed %d, step %d: domains", seed, step).isEqualTo(shape(rebuilt.tree()));
    for (int i = 0; i < rebuilt.nodes().size(); i++) {
      for (String job : JOBS) {
        assertThat(incremental.freeFor(job, i)).as("seed %d, step %d: free to %s on node %d", seed, step, job, i)
            .isEqualTo(rebuilt.freeFor(job, i));
      }
      assertThat(incremental.open(i)).as("seed %d, step %d: node %d open", seed, step, i).isEqualTo(rebuilt.open(i));
    }
    for (GangRequest gang : GANGS) {
      assertThat(ENGINE.place(incremental, gang)).as("seed %d, step %d: decision for %s", seed, step, gang)
          .isEqualTo(ENGINE.place(rebuilt, gang));
    }
  }

  @Test
  void usageAloneKeepsTheTreeAndBothIdleViewsAndANodeChangeRenewsOnlyWhatItTouched() {
    cache.put(SnapshotFactoryTest.node("n0", "True", false));
    cache.put(SnapshotFactoryTest.node("n1", "True", false));
    ClusterSnapshot first = cache.read(Set.of()).snapshot(TOPOLOGY);

    cache.put(SnapshotFactoryTest.pod("a", "a", "n0", "Running", null, "4", "1"));
    ClusterSnapshot used = cache.read(Set.of()).snapshot(TOPOLOGY);
    assertThat(used.tree().root()).isSameAs(first.tree().root());
    assertThat(used.idleAtBest()).isSameAs(first.idleAtBest());
    assertThat(used.idleAsNow()).isSameAs(first.idleAsNow());
    assertThat(used.freeFor(null, 0).gpus()).isEqualTo(4);

    cache.put(SnapshotFactoryTest.node("n1", "False", false));
    ClusterSnapshot sick = cache.read(Set.of()).snapshot(TOPOLOGY);
    assertThat(sick.tree().root()).isSameAs(first.tree().root());
    assertThat(sick.idleAtBest()).as("readiness is no lasting fact").isSameAs(first.idleAtBest());
    assertThat(sick.idleAsNow()).isNotSameAs(first.idleAsNow());
    assertThat(sick.open(1)).isFalse();

    cache.put(new NodeBuilder(SnapshotFactoryTest.node("n1", "False", false)).editMetadata().addToLabels(Clusters.RACK, "r2")
        .endMetadata().build());
    assertThat(cache.read(Set.of()).snapshot(TOPOLOGY).tree().root()).isNotSameAs(first.tree().root());
  }

  /** Each domain's level, value, parent, node and subtree, by id. */
  private static List<String> shape(dev.gangway.topology.DomainTree tree) {
    List<String> out = new ArrayList<>();
    for (int id = 0; id < tree.size(); id++) {
      var d = tree.domain(id);
      out.add(d.level() + " " + d.value() + " " + tree.parentId(id) + " " + d.nodeIndex() + " " + d.subtreeEnd() + " "
          + d.nodeCount() + " " + d.children().stream().map(c -> c.id()).toList());
    }
    return out;
  }

  private static List<Reservation> sorted(List<Reservation> reservations) {
    return reservations.stream().sorted(Comparator.comparing(Reservation::toString)).toList();
  }

  /** A pod added, or changed in any way the API allows or a kubelet reports, or created again under its name. */
  private void putPod(Random random) {
    String name = "p" + random.nextInt(24);
    String namespace = random.nextBoolean() ? "ns-a" : "ns-b";
    Pod before = pods.get(namespace + "/" + name);
    boolean recreated = before == null || random.nextInt(5) == 0;
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .withUid(recreated ? "uid-" + uids++ : before.getMetadata().getUid()).endMetadata();
    if (random.nextInt(4) > 0) {
      b.editMetadata().addToLabels(SnapshotFactory.JOB_LABEL, "job" + random.nextInt(4)).endMetadata();
    }
    int reserved = random.nextInt(6);
    if (reserved < 3) {
      b.editMetadata().addToAnnotations(SnapshotFactory.RESERVED_NODE_ANNOTATION, reserved == 0 ? "" : nodeName(random)).endMetadata();
    }
    if (random.nextInt(6) == 0) {
      b.editMetadata().withDeletionTimestamp("2026-12-02T06:00:00Z").endMetadata();
    }
    String bound = random.nextInt(3) == 0 ? null : random.nextInt(10) == 0 ? "" : nodeName(random);
    ResourceRequirementsBuilder main = new ResourceRequirementsBuilder();
    if (random.nextInt(4) > 0) {
      main.addToLimits(RankResources.GPU, new Quantity(Integer.toString(random.nextInt(9))));
    }
    main.addToRequests("cpu", new Quantity((100 * random.nextInt(40)) + "m"));
    if (random.nextBoolean()) {
      main.addToRequests("memory", new Quantity(random.nextInt(64) + "Gi"));
    }
    b.withNewSpec().withNodeName(bound).addToContainers(new ContainerBuilder().withName("main").withResources(main.build()).build())
        .endSpec();
    if (random.nextInt(5) == 0) {
      b.editSpec().addToInitContainers(new ContainerBuilder().withName("init").withResources(new ResourceRequirementsBuilder()
          .addToRequests("cpu", new Quantity(random.nextInt(8) + "")).build()).build()).endSpec();
    }
    String[] phases = {"Pending", "Running", "Running", "Succeeded", "Failed", null};
    b.withNewStatus().withPhase(phases[random.nextInt(phases.length)]).endStatus();
    Pod pod = b.build();
    pods.put(SnapshotFactory.podKey(pod), pod);
    cache.put(pod);
  }

  /** A node added or changed: labels (rack, block or none), allocatable, taints, cordon and readiness at random. */
  private static Node node(Random random) {
    String name = NODES.get(random.nextInt(NODES.size()));
    NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata();
    if (random.nextInt(5) > 0) {
      b.editMetadata().addToLabels(Clusters.RACK, "r" + random.nextInt(3)).endMetadata();
    }
    if (random.nextInt(5) > 0) {
      b.editMetadata().addToLabels(Clusters.BLOCK, "b" + random.nextInt(2)).endMetadata();
    }
    b.withNewSpec().withUnschedulable(random.nextInt(6) == 0).endSpec();
    if (random.nextInt(4) == 0) {
      b.editSpec().addNewTaint().withKey("gpu").withValue("bad").withEffect("NoSchedule").endTaint().endSpec();
    }
    String[] ready = {"True", "True", "False", "Unknown"};
    return b.withNewStatus().addToAllocatable(RankResources.GPU, new Quantity(Integer.toString(4 * random.nextInt(3))))
        .addToAllocatable("cpu", new Quantity(Integer.toString(16 * (1 + random.nextInt(4)))))
        .addToAllocatable("memory", new Quantity((128 + random.nextInt(512)) + "Gi"))
        .addNewCondition().withType("Ready").withStatus(ready[random.nextInt(ready.length)]).endCondition().endStatus().build();
  }

  /** A node that may or may not exist now ("gone" never does). */
  private static String nodeName(Random random) {
    return random.nextInt(8) == 0 ? "gone" : NODES.get(random.nextInt(NODES.size()));
  }

  private static <T> java.util.Optional<T> pick(Random random, List<T> from) {
    return from.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(from.get(random.nextInt(from.size())));
  }
}

package dev.gangway.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ClusterSnapshot#reusingShape}: a snapshot of the same nodes with other usage, built from an earlier one's
 * node order and domain tree, decides exactly as one built from scratch; when the nodes are not the same ones it is
 * built from scratch.
 */
class SnapshotShapeReuseTest {

  private final PlacementEngine engine = new PlacementEngine();

  static Stream<Scenario> scenarios() {
    return LongStream.range(0, 200).mapToObj(seed -> Scenario.random(seed * 7919 + 17));
  }

  /** The scenario's nodes, idle and in name order: an earlier moment of the same cluster. */
  static ClusterSnapshot earlier(Scenario s) {
    List<NodeState> idle = new ArrayList<>();
    for (NodeState n : s.snapshot().nodes()) {
      idle.add(new NodeState(n.name(), n.labels(), n.taints(), n.unschedulable(), n.ready(), n.allocatable(), Resources.NONE));
    }
    return new ClusterSnapshot(s.snapshot().topology(), idle);
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void aSnapshotOnAnEarlierOnesShapeDecidesAsOneBuiltAfresh(Scenario s) {
    ClusterSnapshot fresh = s.snapshot();
    ClusterSnapshot reused = ClusterSnapshot.reusingShape(earlier(s), fresh.topology(), fresh.nodes(), fresh.reservations());

    assertThat(reused.tree().freeGpusById()).isEqualTo(fresh.tree().freeGpusById());
    assertThat(engine.place(reused, s.request())).isEqualTo(engine.place(fresh, s.request()));
    for (int i = 0; i < fresh.nodes().size(); i++) {
      assertThat(reused.freeFor(s.request().jobKey(), i)).isEqualTo(fresh.freeFor(s.request().jobKey(), i));
    }
    QueuedGang self = new QueuedGang(s.request().jobKey(), 0, java.time.Instant.EPOCH, java.time.Instant.EPOCH, fresh.topology(),
        s.request());
    QueuedGang ahead = new QueuedGang("ns/ahead", 10, java.time.Instant.EPOCH, java.time.Instant.EPOCH, fresh.topology(),
        GangRequest.builder("ns/ahead").replicas(3).gpusPerRank(8).build());
    assertThat(new PlacementQueue(engine).admit(self, List.of(ahead, self), t -> reused))
        .isEqualTo(new PlacementQueue(engine).admit(self, List.of(ahead, self), t -> fresh));
  }

  @Test
  void theDomainTreeIsSharedWhenTheNodesAreTheSame() {
    Scenario s = Scenario.random(17);
    ClusterSnapshot before = earlier(s);
    ClusterSnapshot reused = ClusterSnapshot.reusingShape(before, before.topology(), s.snapshot().nodes(), List.of());
    assertThat(reused.tree().root()).isSameAs(before.tree().root());
  }

  @Test
  void otherNodesOrOtherLabelsOrAnotherOrderAreBuiltFromScratch() {
    Scenario s = Scenario.random(17);
    ClusterSnapshot before = earlier(s);
    List<NodeState> nodes = s.snapshot().nodes();
    assertThat(nodes).hasSizeGreaterThan(2);

    List<NodeState> relabelled = new ArrayList<>(nodes);
    NodeState first = nodes.get(0);
    relabelled.set(0, new NodeState(first.name(), Map.of("kubernetes.io/hostname", first.name()), first.taints(), first.unschedulable(),
        first.ready(), first.allocatable(), first.used()));
    List<NodeState> fewer = nodes.subList(1, nodes.size());
    List<NodeState> reversed = new ArrayList<>(nodes);
    Collections.reverse(reversed);

    for (List<NodeState> other : List.of(relabelled, fewer, reversed)) {
      ClusterSnapshot built = ClusterSnapshot.reusingShape(before, before.topology(), other, List.of());
      ClusterSnapshot fresh = new ClusterSnapshot(before.topology(), other);
      assertThat(built.tree().root()).isNotSameAs(before.tree().root());
      assertThat(built.nodes()).isEqualTo(fresh.nodes());
      assertThat(built.tree().freeGpusById()).isEqualTo(fresh.tree().freeGpusById());
      assertThat(engine.place(built, s.request())).isEqualTo(engine.place(fresh, s.request()));
    }
    assertThat(ClusterSnapshot.reusingShape(null, before.topology(), nodes, List.of()).nodes()).isEqualTo(s.snapshot().nodes());
  }
}

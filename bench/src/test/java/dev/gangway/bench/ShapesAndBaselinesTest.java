package dev.gangway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.placement.GangRequest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's inputs are what the README says they are. */
class ShapesAndBaselinesTest {

  @Test
  void shapesHaveTheDocumentedSizes() {
    Shapes.Shape superpod = Shapes.superpod();
    assertThat(superpod.nodes()).isEqualTo(128);
    assertThat(superpod.slots().stream().map(Shapes.Slot::block).distinct()).hasSize(4);
    assertThat(superpod.slots().stream().map(Shapes.Slot::rack).distinct()).hasSize(32);
    Shapes.Shape hyper = Shapes.hyperscale(2048);
    assertThat(hyper.nodes()).isEqualTo(2048);
    assertThat(hyper.slots().stream().map(Shapes.Slot::rack).distinct()).hasSize(1024);
    assertThat(hyper.slots().stream().filter(s -> s.block().equals("b00"))).hasSize(384);
    assertThat(Shapes.hyperscale(8192).nodes()).isEqualTo(8192);
  }

  @Test
  void occupancyHitsItsTargetAndLeavesPartialNodes() {
    int[] used = Shapes.occupancy(2048, 0.5, 7);
    assertThat(Arrays.stream(used).sum()).isEqualTo(2048 * 8 / 2);
    assertThat(Arrays.stream(used).filter(u -> u > 0 && u < 8).count()).isGreaterThan(100);
    assertThat(Arrays.stream(used).max().getAsInt()).isLessThanOrEqualTo(8);
    assertThat(Shapes.occupancy(2048, 0.5, 7)).isEqualTo(used);
  }

  @Test
  void firstFitTakesNodesInNameOrder() {
    List<String> names = List.of("c", "a", "b");
    GangRequest req = GangRequest.builder("j").replicas(3).gpusPerRank(4).build();
    assertThat(Baselines.firstFit(names, new int[] {8, 4, 8}, req)).containsExactly("a", "b", "b");
    assertThat(Baselines.firstFit(names, new int[] {0, 4, 0}, req)).isNull();
  }

  @Test
  void spreadTakesTheNodeWithTheMostFreeGpus() {
    List<String> names = List.of("c", "a", "b");
    GangRequest req = GangRequest.builder("j").replicas(3).gpusPerRank(2).build();
    assertThat(Baselines.spread(names, new int[] {8, 4, 6}, req)).containsExactly("c", "b", "c");
  }
}

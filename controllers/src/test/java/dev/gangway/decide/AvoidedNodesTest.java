package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.AvoidedNode;
import dev.gangway.api.v1alpha1.PlacementStatus;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nodes avoided after ranks did not bind there: for a while, renewed by a new failure, never for ever. */
class AvoidedNodesTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  private static AvoidedNode avoided(String node, Instant until) {
    return new AvoidedNode(node, "BindTimeout", "didn't match pod anti-affinity rules", until.toString());
  }

  private static TrainingJobStatus statusWith(AvoidedNode... nodes) {
    TrainingJobStatus status = new TrainingJobStatus();
    status.setPlacement(new PlacementStatus());
    status.getPlacement().setAvoidedNodes(List.of(nodes));
    return status;
  }

  @Test
  void onlyEntriesStillInTimeAreAvoided() {
    TrainingJobStatus status = statusWith(avoided("n1", T0.plusSeconds(1)), avoided("n2", T0),
        new AvoidedNode("n3", "BindTimeout", "x", "not a time"), new AvoidedNode("n4", "BindTimeout", "x", null));
    assertThat(AvoidedNodes.activeIn(status, T0)).containsExactly("n1");
    assertThat(AvoidedNodes.activeIn(null, T0)).isEmpty();
    assertThat(AvoidedNodes.activeIn(new TrainingJobStatus(), T0)).isEmpty();
  }

  @Test
  void theNextListDropsEntriesPastTheirTimeAndANewFailureRenewsItsNode() {
    List<AvoidedNode> previous = List.of(avoided("n2", T0.plusSeconds(30)), avoided("n1", T0.minusSeconds(1)));
    AvoidedNode renewed = avoided("n2", T0.plusSeconds(600));
    assertThat(AvoidedNodes.next(previous, List.of(renewed, avoided("n0", T0.plusSeconds(600))), T0))
        .extracting(AvoidedNode::getNode, AvoidedNode::getUntil)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("n0", T0.plusSeconds(600).toString()),
            org.assertj.core.groups.Tuple.tuple("n2", T0.plusSeconds(600).toString()));
    assertThat(AvoidedNodes.next(previous, List.of(), T0)).containsExactly(previous.get(0));
    assertThat(AvoidedNodes.next(previous, List.of(), T0.plusSeconds(30))).as("nothing left: the field goes").isNull();
  }

  @Test
  void aNodeIsAvoidedForTenBindTimeouts() {
    assertThat(AvoidedNodes.avoidFor(Duration.ofSeconds(60))).isEqualTo(Duration.ofMinutes(10));
  }
}

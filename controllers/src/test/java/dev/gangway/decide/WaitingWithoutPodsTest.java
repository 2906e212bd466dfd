package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.placement.PlacementResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRD lets a Pending job's spec change while its Placed=False reason says no pod exists or is being created
 * (TrainingJob.WAITING_WITHOUT_PODS, a CEL list the crds module cannot build from these constants): it must name every
 * such reason the decisions write, and none whose gang may have pods.
 */
class WaitingWithoutPodsTest {

  @Test
  void theCrdsListNamesEveryReasonOfAGangWithNoPodAndNoReasonOfOneThatMayHaveSome() {
    List<String> withoutPods = new ArrayList<>(GangPlacementStep.BLOCKED_REASONS);
    withoutPods.addAll(List.of(GangPlacementStep.UNSCHEDULABLE, GangPlacementStep.QUEUED_BEHIND, GangPlacementStep.EXCLUDED_NODES_LEAVE_NO_ROOM,
        PlacementResult.INSUFFICIENT_CAPACITY, PlacementResult.NO_NODE_AVAILABLE, PlacementResult.REQUIRED_LEVEL_TOO_SMALL,
        PlacementResult.WAITING_FOR_TIGHTER_PLACEMENT, PlacementResult.INVALID_REQUEST));
    for (String reason : withoutPods) {
      assertThat(TrainingJob.WAITING_WITHOUT_PODS).contains("'" + reason + "'");
    }
    assertThat(TrainingJob.WAITING_WITHOUT_PODS).as("a decided gang that lost a rank has pods").doesNotContain("'" + GangPlacementStep.RANK_LOST + "'");
    assertThat(TrainingJob.WAITING_WITHOUT_PODS.split(",")).hasSize(withoutPods.size());
  }
}

package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobConditionsTest {

  private static Condition placed(String status, String reason) {
    return new ConditionBuilder().withType(JobConditions.PLACED).withStatus(status).withReason(reason).build();
  }

  @Test
  void whyAGangIsNotPlacedIsThePlacedFalseReason() {
    assertThat(JobConditions.notPlacedReason(null)).isEmpty();
    assertThat(JobConditions.notPlacedReason(List.of())).as("not decided yet").isEmpty();
    assertThat(JobConditions.notPlacedReason(List.of(placed("True", "GangPlaced")))).isEmpty();
    assertThat(JobConditions.notPlacedReason(List.of(placed("False", "QuotaExceeded")))).contains("QuotaExceeded");
    assertThat(JobConditions.notPlacedReason(List.of(placed("False", null)))).as("hand-written, no reason").contains("");
    assertThat(JobConditions.notPlacedReason(List.of(new ConditionBuilder().withType("Running").withStatus("False").withReason("X").build())))
        .as("another condition").isEmpty();
  }
}

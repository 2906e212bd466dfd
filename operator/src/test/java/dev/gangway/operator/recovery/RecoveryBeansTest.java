package dev.gangway.operator.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.decide.PlacementDefaults;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecoveryBeansTest {

  @Test
  void thePlatformsWaitForTighterDefaultReplacesTheDocumentedOneOnlyWhenSet() {
    assertThat(RecoveryBeans.placementDefaults(Optional.empty(), 0)).isEqualTo(PlacementDefaults.STANDARD);
    assertThat(RecoveryBeans.placementDefaults(Optional.of(0), 0).waitForTighter()).isZero();
    assertThat(RecoveryBeans.placementDefaults(Optional.of(90), 0).waitForTighter()).isEqualTo(Duration.ofSeconds(90));
    // The chart's schema refuses a negative value; set by hand, it turns the wait off rather than failing start-up.
    assertThat(RecoveryBeans.placementDefaults(Optional.of(-1), 0).waitForTighter()).isZero();
  }

  @Test
  void theHeadHoldsAtOnceUnlessThePlatformLetsOthersPassForAWhile() {
    assertThat(PlacementDefaults.STANDARD.headHoldsAfter()).isZero();
    assertThat(RecoveryBeans.placementDefaults(Optional.empty(), 120).headHoldsAfter()).isEqualTo(Duration.ofSeconds(120));
    assertThat(RecoveryBeans.placementDefaults(Optional.empty(), 120).waitForTighter()).isEqualTo(PlacementDefaults.STANDARD.waitForTighter());
    assertThat(RecoveryBeans.placementDefaults(Optional.empty(), -5).headHoldsAfter()).isZero();
  }
}

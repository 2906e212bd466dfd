package dev.gangway.operator.leadership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GangwayLeaderElectionTest {

  @Test
  void theDefaultsLeaveTheLeaderTimeToGiveUpBeforeAStandbyTakesOver() {
    assertThat(GangwayLeaderElection.checked(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)))
        .isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void aRenewDeadlineAsLongAsTheLeaseIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> GangwayLeaderElection.checked(Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GANGWAY_LEADER_ELECTION_RENEW_DEADLINE, PT15S")
        .hasMessageContaining("must be shorter than gangway.leader-election.lease-duration");
  }

  @Test
  void aRetryPeriodThatLeavesNoSecondTryToRenewIsRefused() {
    assertThatThrownBy(() -> GangwayLeaderElection.checked(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(10)))
        .hasMessageContaining("GANGWAY_LEADER_ELECTION_RETRY_PERIOD, PT10S");
    assertThatThrownBy(() -> GangwayLeaderElection.checked(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ZERO))
        .hasMessageContaining("must be positive");
  }
}

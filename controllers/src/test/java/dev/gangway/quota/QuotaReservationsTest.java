package dev.gangway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuotaReservationsTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final PodSpec RANK = new PodSpecBuilder().addToContainers(new ContainerBuilder().withName("train").build()).build();
  /** Room for one 2 x 8-GPU gang in team-a, none used yet. */
  private static final List<ResourceQuota> ONE_GANG = List.of(new ResourceQuotaBuilder().withNewMetadata().withName("gpus")
      .withNamespace("team-a").endMetadata().withNewSpec().addToHard("requests.nvidia.com/gpu", new Quantity("16")).endSpec().build());

  private final QuotaReservations reservations = new QuotaReservations();

  private Optional<String> reserve(String jobKey, List<ResourceQuota> quotas, Instant now) {
    return reservations.reserve(jobKey, RankQuotaUsage.of(RANK, 8), 2,
        (perRank, reserved) -> QuotaFit.shortfall(quotas, RANK, perRank, 2, reserved), now);
  }

  @Test
  void twoGangsOfOneNamespaceJudgedTogetherCannotBothTakeTheSameRoom() {
    assertThat(reserve("team-a/first", ONE_GANG, T0)).isEmpty();
    assertThat(reserve("team-a/second", ONE_GANG, T0)).hasValueSatisfying(m -> assertThat(m).contains("16 of it is in use"));
    // The first judged again keeps its own room: its reservation is not counted against it.
    assertThat(reserve("team-a/first", ONE_GANG, T0)).isEmpty();
    // Another namespace's quotas are its own.
    assertThat(reserve("team-b/other", List.of(new ResourceQuotaBuilder(ONE_GANG.get(0)).editMetadata().withNamespace("team-b")
        .endMetadata().build()), T0)).isEmpty();
  }

  @Test
  void releasedOrForgottenRoomIsFreeForTheNextGang() {
    assertThat(reserve("team-a/first", ONE_GANG, T0)).isEmpty();
    reservations.release("team-a/first");
    assertThat(reserve("team-a/second", ONE_GANG, T0)).isEmpty();
    reservations.retain(key -> !key.equals("team-a/second"));
    assertThat(reserve("team-a/third", ONE_GANG, T0)).isEmpty();
  }

  @Test
  void aGangWhosePodsAllExistKeepsItsRoomOnlyWhileTheQuotaMayNotCountThemYet() {
    assertThat(reserve("team-a/first", ONE_GANG, T0)).isEmpty();
    reservations.settle("team-a/first", T0.plusSeconds(30));
    assertThat(reserve("team-a/second", ONE_GANG, T0.plusSeconds(30).plus(QuotaReservations.SETTLING).minusMillis(1))).isPresent();
    assertThat(reserve("team-a/second", ONE_GANG, T0.plusSeconds(30).plus(QuotaReservations.SETTLING))).isEmpty();
  }

  @Test
  void aReservationNobodyReleasesEndsAfterItsLongestHold() {
    assertThat(reserve("team-a/first", ONE_GANG, T0)).isEmpty();
    assertThat(reserve("team-a/second", ONE_GANG, T0.plus(QuotaReservations.HELD_AT_MOST).minusSeconds(1))).isPresent();
    assertThat(reserve("team-a/second", ONE_GANG, T0.plus(QuotaReservations.HELD_AT_MOST))).isEmpty();
  }
}

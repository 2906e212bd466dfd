package dev.gangway.operator.leadership;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class LeaseHandbackTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T13:00:00Z"), ZoneOffset.UTC);
  KubernetesClient client;

  @Test
  void theHolderClearsTheLeaseSoAStandbyNeedNotWaitForItToExpire() {
    hold("gangway-a@10.0.0.1:8080", 3);

    assertThat(LeaseHandback.handBack(client, "gangway-system", "gangway-leader", "gangway-a@10.0.0.1:8080", CLOCK)).isTrue();

    Lease lease = lease();
    assertThat(lease.getSpec().getHolderIdentity()).isEmpty();
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
    assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(CLOCK.instant());
    assertThat(lease.getSpec().getLeaseTransitions()).as("a hand-back is no transition").isEqualTo(3);
  }

  @Test
  void aLeaseAnotherReplicaHoldsIsLeftAlone() {
    hold("gangway-b@10.0.0.2:8080", 4);

    assertThat(LeaseHandback.handBack(client, "gangway-system", "gangway-leader", "gangway-a@10.0.0.1:8080", CLOCK)).isFalse();

    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("gangway-b@10.0.0.2:8080");
    assertThat(lease().getSpec().getLeaseDurationSeconds()).isEqualTo(15);
  }

  @Test
  void noLeaseNothingToHandBack() {
    assertThat(LeaseHandback.handBack(client, "gangway-system", "gangway-leader", "gangway-a@10.0.0.1:8080", CLOCK)).isFalse();
    assertThat(lease()).isNull();
  }

  private void hold(String holder, int transitions) {
    ZonedDateTime renewed = ZonedDateTime.ofInstant(CLOCK.instant().minusSeconds(3), ZoneOffset.UTC);
    client.leases().inNamespace("gangway-system").resource(new LeaseBuilder()
        .withNewMetadata().withName("gangway-leader").withNamespace("gangway-system").endMetadata()
        .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(15).withAcquireTime(renewed).withRenewTime(renewed)
        .withLeaseTransitions(transitions).endSpec().build()).create();
  }

  private Lease lease() {
    return client.leases().inNamespace("gangway-system").withName("gangway-leader").get();
  }
}

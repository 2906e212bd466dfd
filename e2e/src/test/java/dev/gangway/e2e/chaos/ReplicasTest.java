package dev.gangway.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplicasTest {

  @Test
  void aLeaseHolderIsNamedByHostnamePidAndTheAddressTheLeaseAdds() {
    assertThat(Replicas.ofIdentity("chaos-b-4711@127.0.0.1:24829")).isEqualTo("b");
    assertThat(Replicas.ofIdentity("gangway-1@10.0.0.1:8080")).isNull();
    assertThat(Replicas.sameProcess("chaos-a-9845@127.0.0.1:24828", "chaos-a-9845")).isTrue();
    assertThat(Replicas.sameProcess("chaos-a-98450@127.0.0.1:24828", "chaos-a-9845")).as("another pid with the same prefix").isFalse();
    assertThat(Replicas.sameProcess("chaos-a-12870@127.0.0.1:24828", "chaos-a-9845")).as("the same replica, restarted").isFalse();
  }
}

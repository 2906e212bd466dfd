package dev.gangway.act;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.decide.GangPlacementStep;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A write is awaited until the cache shows its effect or the patience runs out; never for another pod of the same name. */
class OwnWritesTest {
  private static final Instant T0 = Instant.parse("2026-12-03T06:00:00Z");
  private Instant now = T0;
  /** The informer cache as the claims read it now. */
  private final java.util.Map<String, Pod> cache = new java.util.HashMap<>();
  private final OwnWrites own = new OwnWrites(new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }, Duration.ofSeconds(30), key -> cache.get(key));

  private Pod cached(Pod pod) {
    cache.put("ml/" + pod.getMetadata().getName(), pod);
    return pod;
  }

  private static Pod pod(String name, String uid, boolean gated, boolean deleting) {
    PodBuilder pod = new PodBuilder().withNewMetadata().withNamespace("ml").withName(name).withUid(uid)
        .withDeletionTimestamp(deleting ? T0.toString() : null).endMetadata().withNewSpec().endSpec();
    if (gated) {
      pod.editSpec().withSchedulingGates(List.of(new PodSchedulingGate(GangPlacementStep.GATE))).endSpec();
    }
    return pod.build();
  }

  @Test
  void aCreateIsAwaitedUntilTheCacheShowsAPodOfThatName() {
    assertThat(own.claimCreate("ml/llm-r0-a2")).isTrue();
    assertThat(own.creating("ml/llm-r0-a2")).isTrue();
    assertThat(own.creating("ml/llm-r1-a2")).as("another rank").isFalse();
    own.seen(pod("llm-r1-a2", "u1", false, false));
    assertThat(own.creating("ml/llm-r0-a2")).as("another pod's echo").isTrue();
    own.seen(pod("llm-r0-a2", "u0", false, false));
    assertThat(own.creating("ml/llm-r0-a2")).isFalse();
    assertThat(own.awaited()).isZero();
  }

  @Test
  void aDeleteIsAwaitedUntilThePodIsTerminatingOrGoneAndOnlyForThatPod() {
    Pod old = cached(pod("llm-r0-a1", "u-old", false, false));
    assertThat(own.claimDelete(old)).isTrue();
    assertThat(own.deleting(old)).isTrue();
    assertThat(own.deleting(pod("llm-r0-a1", "u-new", false, false))).as("created again under the name since").isFalse();
    own.seen(old);
    assertThat(own.deleting(old)).as("the cache still shows it live").isTrue();
    own.seen(pod("llm-r0-a1", "u-old", false, true));
    assertThat(own.deleting(old)).isFalse();

    Pod other = cached(pod("llm-r1-a1", "u-other", false, false));
    own.claimDelete(other);
    own.gone(other);
    assertThat(own.deleting(other)).isFalse();
  }

  @Test
  void aReleaseIsAwaitedUntilTheCacheShowsThePodWithoutTheGate() {
    Pod gated = pod("llm-r0-a2", "u0", true, false);
    own.claimRelease(gated);
    own.seen(gated);
    assertThat(own.releasing(gated)).isTrue();
    own.seen(pod("llm-r0-a2", "u0", false, false));
    assertThat(own.releasing(gated)).isFalse();
  }

  @Test
  void aForceDeleteIsAwaitedUntilThePodIsGoneThoughItWasTerminatingAlready() {
    Pod stuck = pod("llm-r0-a1", "u0", false, true);
    own.claimForceDelete(stuck);
    own.seen(stuck);
    assertThat(own.forceDeleting(stuck)).isTrue();
    own.gone(stuck);
    assertThat(own.forceDeleting(stuck)).isFalse();
  }

  @Test
  void aWriteIsClaimedOnceWhoeverRacesForItAndGivenBackWhenItFails() {
    Pod old = cached(pod("llm-r0-a1", "u0", false, false));
    assertThat(own.claimDelete(old)).as("the background teardown").isTrue();
    assertThat(own.claimDelete(old)).as("a reconcile at the same moment").isFalse();
    own.writeFailed(old);
    assertThat(own.claimDelete(old)).as("after the failure, again").isTrue();
    assertThat(own.claimCreate("ml/llm-r0-a2")).isTrue();
    assertThat(own.claimCreate("ml/llm-r0-a2")).isFalse();
    own.createFailed("ml/llm-r0-a2");
    assertThat(own.creating("ml/llm-r0-a2")).isFalse();
  }

  @Test
  void aWriteWhoseEchoNeverComesMayBeRepeatedAfterThePatience() {
    Pod old = cached(pod("llm-r0-a1", "u0", false, false));
    assertThat(own.claimCreate("ml/llm-r0-a2")).isTrue();
    assertThat(own.claimDelete(old)).isTrue();
    now = T0.plusSeconds(29);
    assertThat(own.creating("ml/llm-r0-a2")).isTrue();
    assertThat(own.deleting(old)).isTrue();
    assertThat(own.awaited()).isEqualTo(2);
    now = T0.plusSeconds(30);
    assertThat(own.creating("ml/llm-r0-a2")).isFalse();
    assertThat(own.deleting(old)).isFalse();
    assertThat(own.awaited()).isZero();
  }

  @Test
  void aWriteTheCacheShowsDoneAlreadyIsNotClaimedThoughTheReconcileReadAnOlderCache() {
    // The reconcile read the cache before these echoes arrived and decided to write; by the time it claims, the cache has them.
    cached(pod("llm-r0-a2", "u0", false, false));
    assertThat(own.claimCreate("ml/llm-r0-a2")).as("created: its echo cleared the claim, the cache shows it").isFalse();
    assertThat(own.creating("ml/llm-r0-a2")).isFalse();
    Pod old = pod("llm-r0-a1", "u-old", false, false);
    assertThat(own.claimDelete(old)).as("gone from the cache").isFalse();
    cached(pod("llm-r0-a1", "u-old", false, true));
    assertThat(own.claimDelete(old)).as("terminating in the cache").isFalse();
    cached(pod("llm-r0-a1", "u-new", false, false));
    assertThat(own.claimDelete(old)).as("another pod under its name").isFalse();
    assertThat(own.awaited()).isZero();
    cached(old);
    assertThat(own.claimDelete(old)).as("live in the cache: still to delete").isTrue();
  }
}

package dev.gangway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Each owner's pods as the informer's store takes them; a pod being updated is never missing to a reader. */
class PodsByOwnerTest {
  private final PodsByOwner pods = new PodsByOwner("TrainingJob");

  private static Pod pod(String name, String phase, String... ownerUids) {
    PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("ml").withName(name).endMetadata().withNewStatus().withPhase(phase).endStatus();
    for (String uid : ownerUids) {
      b.editMetadata().addNewOwnerReference().withKind("TrainingJob").withName("job-" + uid).withUid(uid).endOwnerReference().endMetadata();
    }
    return b.build();
  }

  @Test
  void podsAreFiledUnderTheirOwnersAndReplacedWhenTheyChange() {
    pods.put(pod("a-r0", "Pending", "a"));
    pods.put(pod("a-r1", "Pending", "a"));
    pods.put(pod("b-r0", "Pending", "b"));
    pods.put(pod("bare", "Running"));
    pods.put(pod("a-r0", "Running", "a"));
    assertThat(pods.of("a")).extracting(p -> p.getMetadata().getName() + "=" + p.getStatus().getPhase())
        .containsExactlyInAnyOrder("a-r0=Running", "a-r1=Pending");
    assertThat(pods.of("b")).hasSize(1);
    assertThat(pods.of("nobody")).isEmpty();
  }

  @Test
  void aPodLeavesItsOwnersWhenRemovedOrWhenAnUpdateNoLongerNamesThem() {
    pods.put(pod("x", "Running", "a", "b"));
    pods.put(pod("x", "Running", "b"));
    assertThat(pods.of("a")).isEmpty();
    assertThat(pods.of("b")).hasSize(1);
    pods.remove(pod("x", "Running"));
    assertThat(pods.of("b")).isEmpty();
  }

  @Test
  void aReaderNeverMissesAPodWhileItIsUpdated() throws InterruptedException {
    int ranks = 50;
    for (int r = 0; r < ranks; r++) {
      pods.put(pod("a-r" + r, "Pending", "a"));
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger fewest = new AtomicInteger(ranks);
    Thread reader = new Thread(() -> {
      while (!done.get()) {
        fewest.accumulateAndGet(pods.of("a").size(), Math::min);
      }
    });
    reader.start();
    for (int round = 0; round < 2_000; round++) {
      for (int r = 0; r < ranks; r++) {
        pods.put(pod("a-r" + r, round % 2 == 0 ? "Running" : "Pending", "a"));
      }
    }
    done.set(true);
    reader.join();
    assertThat(fewest.get()).as("pods seen by a reader during 100,000 updates, at the fewest").isEqualTo(ranks);
  }
}

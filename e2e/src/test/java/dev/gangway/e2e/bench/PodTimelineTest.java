package dev.gangway.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PodTimelineTest {
  private final PodTimeline timeline = new PodTimeline();

  @Test
  void eachMarkIsTheFirstEventThatShowedIt() {
    timeline.observe(pod("r0", null, "Pending", false), 10);
    timeline.observe(pod("r0", "n1", "Pending", false), 20);
    timeline.observe(pod("r0", "n1", "Running", false), 30);
    timeline.observe(pod("r0", "n1", "Running", false), 40);
    timeline.observe(pod("r0", "n1", "Running", true), 50);
    timeline.gone("r0", 60);

    PodTimeline.Marks marks = timeline.pods(m -> true).get(0);
    assertThat(marks.created()).isEqualTo(10);
    assertThat(marks.bound()).isEqualTo(20);
    assertThat(marks.started()).isEqualTo(30);
    assertThat(marks.deleting()).isEqualTo(50);
    assertThat(marks.gone()).isEqualTo(60);
    assertThat(marks.node()).isEqualTo("n1");
    assertThat(marks.label("gangway.dev/attempt")).isEqualTo("1");
  }

  @Test
  void aPodFirstSeenCompletedHasStartedAndOneDeletedWithoutNoticeWasDeletingWhenItWent() {
    timeline.observe(pod("done", "n1", "Succeeded", false), 7);
    timeline.observe(pod("vanished", "n2", "Running", false), 8);
    timeline.gone("vanished", 9);

    assertThat(timeline.pods(m -> m.name().equals("done")).get(0).started()).isEqualTo(7);
    assertThat(timeline.pods(m -> m.name().equals("vanished")).get(0).deleting()).isEqualTo(9);
  }

  @Test
  void awaitStartedReturnsWhenTheCountThPodStartedAndFailsWhenTooFewDid() {
    timeline.observe(pod("a", "n1", "Running", false), 300);
    timeline.observe(pod("b", "n1", "Running", false), 100);
    timeline.observe(pod("c", "n1", "Pending", false), 200);

    assertThat(timeline.awaitStarted(m -> true, 2, Duration.ofMillis(10))).isEqualTo(300);
    assertThatThrownBy(() -> timeline.awaitStarted(m -> true, 3, Duration.ofMillis(10)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("only 2 of 3 pods started");
  }

  @Test
  void awaitGoneWaitsForTheLastLivePodAndForgetGoneDropsOnlyGonePods() {
    timeline.observe(pod("a", "n1", "Running", false), 1);
    timeline.observe(pod("b", "n1", "Running", false), 2);
    timeline.gone("a", 5);
    assertThatThrownBy(() -> timeline.awaitGone(m -> true, Duration.ofMillis(10))).hasMessageContaining("1 pods still live");
    timeline.gone("b", 7);
    assertThat(timeline.awaitGone(m -> true, Duration.ofMillis(10))).isEqualTo(7);

    timeline.observe(pod("c", "n1", "Running", false), 8);
    timeline.forgetGone(m -> true);
    assertThat(timeline.pods(m -> true)).extracting(PodTimeline.Marks::name).containsExactly("c");
  }

  @Test
  void aGangRestartedWhileItStartsIsTimedToItsFirstAttemptThatRunsWhole() {
    timeline.observe(rank("g-r0-a1", 1, "Running"), 10);
    timeline.observe(rank("g-r1-a1", 1, "Pending"), 11);
    assertThatThrownBy(() -> timeline.awaitGangStarted("g", 2, Duration.ofMillis(10))).hasMessageContaining("no attempt of g");
    timeline.observe(rank("g-r0-a2", 2, "Running"), 40);
    timeline.observe(rank("g-r1-a2", 2, "Running"), 50);
    assertThat(timeline.awaitGangStarted("g", 2, Duration.ofMillis(10))).isEqualTo(50);
  }

  private static Pod rank(String name, int attempt, String phase) {
    return new PodBuilder().withNewMetadata().withName(name).addToLabels("gangway.dev/job-name", "g")
        .addToLabels("gangway.dev/attempt", Integer.toString(attempt)).endMetadata()
        .withNewSpec().withNodeName("n1").endSpec().withNewStatus().withPhase(phase).endStatus().build();
  }

  private static Pod pod(String name, String node, String phase, boolean deleting) {
    return new PodBuilder().withNewMetadata().withName(name).addToLabels("gangway.dev/attempt", "1")
        .withDeletionTimestamp(deleting ? "2026-12-02T09:00:00Z" : null).endMetadata()
        .withNewSpec().withNodeName(node).endSpec()
        .withNewStatus().withPhase(phase).endStatus().build();
  }
}

package dev.gangway.act;

import dev.gangway.job.TestJobs;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import dev.gangway.decide.BindDeadlines;
import dev.gangway.decide.GangPlacementStep;
import dev.gangway.decide.PinnedRank;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GangPodWriterTest {

  @Test
  void aRankAnEarlierVersionCreatedBehindTheGateIsPinnedOnReleaseWhichLiftsOnlyGangwaysGate() {
    Pod pod = RankPodBuilder.build(TestJobs.job("llama", 2, 8), 0, 1, null);
    pod.getSpec().setSchedulingGates(new java.util.ArrayList<>(List.of(new PodSchedulingGate("kueue.x-k8s.io/admission"),
        new PodSchedulingGate(GangPlacementStep.GATE))));
    GangPodWriter.release(pod, "gpu-node-7");
    assertThat(pod.getSpec().getSchedulingGates()).extracting(g -> g.getName()).containsExactly("kueue.x-k8s.io/admission");
    var terms = pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
    assertThat(terms).singleElement().satisfies(t -> assertThat(t.getMatchFields()).singleElement().satisfies(f -> {
      assertThat(f.getKey()).isEqualTo("metadata.name");
      assertThat(f.getValues()).containsExactly("gpu-node-7");
    }));
    assertThat(pod.getSpec().getNodeName()).isNull();
  }

  @Test
  void aPinnedRankNarrowsEveryExistingRequiredTermSinceTermsAreOred() {
    Pod pod = RankPodBuilder.build(TestJobs.job("llama", 2, 8), 0, 1, null);
    pod.getSpec().setAffinity(new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .addToNodeSelectorTerms(new NodeSelectorTermBuilder().addToMatchExpressions(new NodeSelectorRequirementBuilder()
            .withKey("zone").withOperator("In").withValues("a").build()).build())
        .addToNodeSelectorTerms(new NodeSelectorTermBuilder().addToMatchExpressions(new NodeSelectorRequirementBuilder()
            .withKey("zone").withOperator("In").withValues("b").build()).build())
        .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
    GangPodWriter.pinned(pod, new PinnedRank(0, "n1"), Instant.EPOCH);
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(BindDeadlines.RELEASED_AT_ANNOTATION, "1970-01-01T00:00:00Z");
    assertThat(pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())
        .hasSize(2).allSatisfy(t -> {
          assertThat(t.getMatchExpressions()).hasSize(1);
          assertThat(t.getMatchFields()).singleElement().satisfies(f -> assertThat(f.getValues()).containsExactly("n1"));
        });
  }
}

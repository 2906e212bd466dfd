package dev.gangway.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TopologySpec;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GangRequestTest {

  @Test
  void readsRanksLevelsAndTemplateConstraintsFromTheJobSpec() {
    TrainingJobSpec spec = new TrainingJobSpec();
    spec.setReplicas(8);
    spec.setGpusPerReplica(4);
    TopologySpec topo = new TopologySpec();
    topo.setRequired("block");
    topo.setPreferred("rack");
    topo.setGroupSize(2);
    topo.setGroupLevel("nvlink-domain");
    spec.setTopology(topo);
    spec.setTemplate(new PodTemplateSpecBuilder().withNewSpec()
        .addToNodeSelector("pool", "a")
        .addNewToleration().withKey("gpu").withOperator("Exists").endToleration()
        .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .addNewNodeSelectorTerm().addNewMatchExpression().withKey("gen").withOperator("Gt").withValues("3").endMatchExpression()
        .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
        .addNewContainer().withName("main").withNewResources().addToRequests("cpu", new Quantity("16"))
        .addToRequests("memory", new Quantity("64Gi")).endResources().endContainer()
        .endSpec().build());

    GangRequest r = GangRequest.from("ns/job", spec, RankResources.of(spec.getTemplate().getSpec()), Set.of("bad-node"));

    assertThat(r.replicas()).isEqualTo(8);
    assertThat(r.perRank()).isEqualTo(new Resources(4, 16_000, 64L << 30));
    assertThat(r.requiredLevel()).isEqualTo("block");
    assertThat(r.preferredLevel()).isEqualTo("rack");
    assertThat(r.groupSize()).isEqualTo(2);
    assertThat(r.groupLevel()).isEqualTo("nvlink-domain");
    assertThat(r.nodeSelector()).containsEntry("pool", "a");
    assertThat(r.tolerations()).hasSize(1);
    assertThat(r.requiredNodeAffinity()).hasSize(1);
    assertThat(r.excludedNodes()).containsExactly("bad-node");
  }
}

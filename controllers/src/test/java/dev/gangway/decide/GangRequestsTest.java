package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TrainingJobSpec;
import dev.gangway.placement.Resources;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each rank asks placement for what its pod will ask kube-scheduler for, once admitted. */
class GangRequestsTest {
  private static final LimitRange DEFAULTS = new LimitRangeBuilder().withNewMetadata().withName("defaults").withNamespace("ml").endMetadata()
      .withNewSpec().addNewLimit().withType("Container").withDefaultRequest(Map.of("cpu", new Quantity("3"), "memory", new Quantity("8Gi")))
      .withDefault(Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi"))).endLimit().endSpec().build();

  @Test
  void containersThatSetNothingAskForTheNamespacesLimitRangeDefaults() {
    TrainingJobSpec spec = spec(new ContainerBuilder().withName("trainer").withImage("train").build(), null);

    assertThat(GangRequests.of("ml/llm", spec, List.of(), Set.of()).perRank()).as("no LimitRange").isEqualTo(new Resources(8, 0, 0));
    assertThat(GangRequests.of("ml/llm", spec, List.of(DEFAULTS), Set.of()).perRank()).isEqualTo(new Resources(8, 3_000, 8L << 30));
  }

  @Test
  void aSidecarAddsItsRequestAndTheRestOfTheRequestIsKept() {
    TrainingJobSpec spec = spec(new ContainerBuilder().withName("trainer").withImage("train").withNewResources()
            .addToRequests("cpu", new Quantity("16")).endResources().build(),
        new ContainerBuilder().withName("proxy").withImage("proxy").withRestartPolicy("Always").build());

    // The trainer's memory and the proxy's CPU and memory come from the defaults.
    assertThat(GangRequests.of("ml/llm", spec, List.of(DEFAULTS), Set.of("bad")))
        .satisfies(r -> assertThat(r.perRank()).isEqualTo(new Resources(8, 19_000, 16L << 30)))
        .satisfies(r -> assertThat(r.replicas()).isEqualTo(4))
        .satisfies(r -> assertThat(r.excludedNodes()).containsExactly("bad"));
  }

  private static TrainingJobSpec spec(io.fabric8.kubernetes.api.model.Container main, io.fabric8.kubernetes.api.model.Container sidecar) {
    TrainingJobSpec spec = new TrainingJobSpec();
    spec.setReplicas(4);
    spec.setGpusPerReplica(8);
    var template = new PodTemplateSpecBuilder().withNewSpec().addToContainers(main).endSpec();
    if (sidecar != null) {
      template.editSpec().addToInitContainers(sidecar).endSpec();
    }
    spec.setTemplate(template.build());
    return spec;
  }
}

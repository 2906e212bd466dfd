package dev.gangway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.TopologyLevel;
import dev.gangway.api.v1alpha1.TopologySpec;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.job.TestJobs;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterViewTest {

  private static ClusterTopology topology(String name) {
    ClusterTopology t = new ClusterTopology();
    t.setMetadata(new ObjectMetaBuilder().withName(name).build());
    t.getSpec().getLevels().add(new TopologyLevel("rack", "example.com/rack", 50));
    return t;
  }

  /** topologyName (null: none named), required level (null: no constraint), the cluster's topologies, what is missing (null: nothing). */
  static Stream<Arguments> jobs() {
    return Stream.of(
        Arguments.of(null, null, List.of(), null),
        Arguments.of(null, "rack", List.of(), "the cluster has no ClusterTopology"),
        Arguments.of("late", "rack", List.of(topology("default")), "ClusterTopology 'late' does not exist"),
        Arguments.of(null, "rack", List.of(topology("a"), topology("b")), "several ClusterTopologies (a, b) and none is named 'default'"),
        Arguments.of(null, "rack", List.of(topology("only")), null),
        Arguments.of(null, "rack", List.of(topology("a"), topology("default")), null),
        Arguments.of("late", "rack", List.of(topology("late")), null),
        // A level the topology does not define is the spec's fault (SpecValidator), not a missing topology.
        Arguments.of(null, "galaxy", List.of(topology("default")), null));
  }

  @ParameterizedTest
  @MethodSource("jobs")
  void aJobNamingLevelsWaitsForTheTopologyThatResolvesThem(String name, String required, List<ClusterTopology> topologies, String missing) {
    TrainingJob job = TestJobs.job("llama", 2, 8);
    if (name != null || required != null) {
      job.getSpec().setTopology(new TopologySpec());
      job.getSpec().getTopology().setTopologyName(name);
      job.getSpec().getTopology().setRequired(required);
    }
    var found = new ClusterView(topologies, List.of(), List.of()).missingTopology(job);
    if (missing == null) {
      assertThat(found).isEmpty();
    } else {
      assertThat(found).hasValueSatisfying(m -> assertThat(m).contains(missing));
    }
  }

  @org.junit.jupiter.api.Test
  void aNamespacesLimitsAreItsOwnQuotasAndLimitRangesAndTheClustersDefaultPriorityClass() {
    var quotaA = new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder().withNewMetadata().withName("q").withNamespace("a").endMetadata().build();
    var quotaB = new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder().withNewMetadata().withName("q").withNamespace("b").endMetadata().build();
    var rangeA = new io.fabric8.kubernetes.api.model.LimitRangeBuilder().withNewMetadata().withName("l").withNamespace("a").endMetadata().build();
    var batch = new io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder().withNewMetadata().withName("batch").endMetadata()
        .withValue(10).withGlobalDefault(true).build();
    var urgent = new io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder().withNewMetadata().withName("urgent").endMetadata()
        .withValue(100).build();
    var limits = new ClusterView(List.of(), List.of(), List.of(urgent, batch), List.of(quotaA, quotaB), List.of(rangeA)).limitsIn("a");
    assertThat(limits.quotas()).containsExactly(quotaA);
    assertThat(limits.limitRanges()).containsExactly(rangeA);
    assertThat(limits.defaultPriorityClass()).isEqualTo("batch");
    assertThat(new ClusterView(List.of(), List.of(), List.of(urgent), List.of(), List.of()).limitsIn("a").defaultPriorityClass()).isNull();
  }
}

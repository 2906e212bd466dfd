package dev.gangway.sim.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterDescriptionTest {

  /** Tests run in sim/; the cluster descriptions are the e2e suite's. */
  static final Path SMALL = Path.of("../e2e/clusters/small.yaml");
  static final Path HYPERSCALE = Path.of("../e2e/clusters/hyperscale.yaml");

  @Test
  void namesAndLabelsNodesAsTheE2eNodeGeneratorDoes() {
    ClusterDescription small = ClusterDescription.read(SMALL);
    assertThat(small.nodeName(5)).isEqualTo("small-gpu-05");
    assertThat(small.labels(5)).containsEntry("network.topology.kubernetes.io/block", "block-0")
        .containsEntry("network.topology.kubernetes.io/rack", "rack-0")
        .containsEntry("nvidia.com/gpu.clique", "6d1c7f0e-5a4b-4c7e-9f1a-0000000000aa.1")
        .containsEntry("kubernetes.io/hostname", "small-gpu-05");
    assertThat(small.labels(12)).containsEntry("network.topology.kubernetes.io/rack", "rack-1")
        .containsEntry("nvidia.com/gpu.clique", "6d1c7f0e-5a4b-4c7e-9f1a-0000000000aa.3");
  }

  @Test
  void hyperscaleHasLlama3sPodsAndRacks() {
    ClusterDescription hs = ClusterDescription.read(HYPERSCALE);
    assertThat(hs.nodes().count()).isEqualTo(2048);
    assertThat(hs.nodeName(7)).isEqualTo("hs-gpu-0007");
    assertThat(hs.labels(1000)).containsEntry("network.topology.kubernetes.io/block", "pod-2")
        .containsEntry("network.topology.kubernetes.io/rack", "rack-0500");
    assertThat(hs.blockOf(2047)).isEqualTo(5);
    assertThat(hs.topology().crossBlockBandwidthGBps()).isEqualTo(7);
    assertThat(hs.topology().levels()).extracting(l -> l.name()).containsExactly("block", "rack", "nvlink-domain", "host");
  }

  @Test
  void refusesLevelsThatDoNotEndWithTheHost() {
    ClusterDescription bad = new ClusterDescription("x", "u", new ClusterDescription.Nodes(4, "n-", 8), null,
        List.of(new ClusterDescription.LevelSpec("rack", "r", 2, "r-", 50)));
    assertThatThrownBy(() -> bad.validated("x.yaml")).hasMessageContaining("x.yaml: levels must end with the host level");
  }

  @Test
  void refusesDomainsThatDoNotNest() {
    ClusterDescription bad = new ClusterDescription("x", "u", new ClusterDescription.Nodes(12, "n-", 8), null,
        List.of(new ClusterDescription.LevelSpec("block", "b", 6, "b-", 25), new ClusterDescription.LevelSpec("rack", "r", 4, "r-", 50),
            new ClusterDescription.LevelSpec("host", "kubernetes.io/hostname", 1, null, 900)));
    assertThatThrownBy(() -> bad.validated("x.yaml")).hasMessageContaining("level rack has nodesPerDomain 4, which does not divide");
  }
}

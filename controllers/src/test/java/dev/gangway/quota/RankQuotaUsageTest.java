package dev.gangway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class RankQuotaUsageTest {

  @Test
  void countsWhatTheQuotaAdmissionCountsForOneRankPod() {
    PodSpec template = new PodSpecBuilder()
        .addToContainers(new ContainerBuilder().withName("train").withNewResources()
            .addToRequests("cpu", new Quantity("4")).addToLimits("memory", new Quantity("32Gi"))
            // The template's own GPU amount is replaced by gpusPerReplica, as on the pod Gangway creates.
            .addToLimits("nvidia.com/gpu", new Quantity("2")).endResources().build())
        .addToContainers(new ContainerBuilder().withName("sidecar").withNewResources()
            .addToRequests("cpu", new Quantity("500m")).endResources().build())
        .addToInitContainers(new ContainerBuilder().withName("fetch").withNewResources()
            .addToRequests("cpu", new Quantity("8")).addToRequests("memory", new Quantity("1Gi")).endResources().build())
        .addToOverhead("cpu", new Quantity("100m"))
        .build();
    var usage = RankQuotaUsage.of(template, 8);
    assertThat(usage.get("pods")).isEqualByComparingTo("1");
    assertThat(usage.get("count/pods")).isEqualByComparingTo("1");
    // An init container larger than the app containers together sets the request, and overhead is added.
    assertThat(usage.get("requests.cpu")).isEqualByComparingTo("8.1");
    // A limit without a request requests the limit.
    assertThat(usage.get("requests.memory")).isEqualByComparingTo(BigDecimal.valueOf(32L << 30));
    assertThat(usage.get("limits.memory")).isEqualByComparingTo(BigDecimal.valueOf(32L << 30));
    assertThat(usage.get("requests.nvidia.com/gpu")).isEqualByComparingTo("8");
    assertThat(usage.get("limits.nvidia.com/gpu")).isEqualByComparingTo("8");
    assertThat(usage).doesNotContainKey("limits.cpu");
  }

  @Test
  void theLimitRangesDefaultsFillWhatTheContainersLeaveUnsetFirstLimitRangeByNameWinning() {
    PodSpec template = new PodSpecBuilder()
        .addToContainers(new ContainerBuilder().withName("train").withNewResources()
            .addToRequests("cpu", new Quantity("4")).addToLimits("memory", new Quantity("8Gi")).endResources().build())
        .addToContainers(new ContainerBuilder().withName("sidecar").build())
        .build();
    var defaults = new io.fabric8.kubernetes.api.model.LimitRangeBuilder().withNewMetadata().withName("a-defaults").endMetadata()
        .withNewSpec().addNewLimit().withType("Container")
        .addToDefaultRequest("cpu", new Quantity("1")).addToDefaultRequest("memory", new Quantity("1Gi"))
        .addToDefault("cpu", new Quantity("2")).addToDefault("memory", new Quantity("2Gi")).endLimit()
        // A pod-level item gives containers nothing.
        .addNewLimit().withType("Pod").addToMax("cpu", new Quantity("64")).endLimit().endSpec().build();
    var later = new io.fabric8.kubernetes.api.model.LimitRangeBuilder().withNewMetadata().withName("b-later").endMetadata()
        .withNewSpec().addNewLimit().withType("Container").addToDefaultRequest("cpu", new Quantity("3")).endLimit().endSpec().build();
    var usage = RankQuotaUsage.of(template, 8, java.util.List.of(later, defaults));
    // train: cpu 4 (its own) + sidecar: cpu 1 (defaultRequest of a-defaults, not b-later's 3).
    assertThat(usage.get("requests.cpu")).isEqualByComparingTo("5");
    assertThat(usage.get("limits.cpu")).isEqualByComparingTo("4");
    // train: memory request from its own limit (8Gi), not the default; sidecar: 1Gi.
    assertThat(usage.get("requests.memory")).isEqualByComparingTo(BigDecimal.valueOf(9L << 30));
    assertThat(usage.get("limits.memory")).isEqualByComparingTo(BigDecimal.valueOf(10L << 30));
  }

  @Test
  void aSidecarAddsToTheAppContainersAndToEveryInitContainerStartedAfterIt() {
    PodSpec template = new PodSpecBuilder()
        .addToContainers(new ContainerBuilder().withName("train").withNewResources().addToRequests("cpu", new Quantity("4")).endResources().build())
        // Runs before the sidecar starts: alone, 6.
        .addToInitContainers(new ContainerBuilder().withName("early").withNewResources().addToRequests("cpu", new Quantity("6")).endResources().build())
        .addToInitContainers(new ContainerBuilder().withName("log-shipper").withRestartPolicy("Always").withNewResources()
            .addToRequests("cpu", new Quantity("1")).endResources().build())
        // Runs beside the sidecar: 5 + 1 = 6.
        .addToInitContainers(new ContainerBuilder().withName("late").withNewResources().addToRequests("cpu", new Quantity("5")).endResources().build())
        .build();
    // The pod: train 4 + log-shipper 1 = 5 while it runs; the init peak 6 is more.
    assertThat(RankQuotaUsage.of(template, 0).get("requests.cpu")).isEqualByComparingTo("6");
    template.getInitContainers().get(2).getResources().getRequests().put("cpu", new Quantity("7"));
    assertThat(RankQuotaUsage.of(template, 0).get("requests.cpu")).as("late beside the sidecar: 8").isEqualByComparingTo("8");
    template.getInitContainers().remove(2);
    template.getInitContainers().remove(0);
    assertThat(RankQuotaUsage.of(template, 0).get("requests.cpu")).as("the sidecar adds to the app containers").isEqualByComparingTo("5");
  }

  @Test
  void aRankWithoutGpusCountsNone() {
    PodSpec template = new PodSpecBuilder().addToContainers(new ContainerBuilder().withName("train").build()).build();
    assertThat(RankQuotaUsage.of(template, 0)).containsOnlyKeys("pods", "count/pods");
  }

  @Test
  void bareNamesInAQuotaMeanRequests() {
    assertThat(RankQuotaUsage.counted("cpu")).isEqualTo("requests.cpu");
    assertThat(RankQuotaUsage.counted("memory")).isEqualTo("requests.memory");
    assertThat(RankQuotaUsage.counted("requests.nvidia.com/gpu")).isEqualTo("requests.nvidia.com/gpu");
    assertThat(RankQuotaUsage.counted("pods")).isEqualTo("pods");
  }

  @Test
  void cpuAndMemorySetAtPodLevelAreThePodsWhateverItsContainersSet() {
    PodSpec template = new PodSpecBuilder()
        .addToContainers(new ContainerBuilder().withName("train").withNewResources().addToRequests("cpu", new Quantity("1"))
            .addToRequests("memory", new Quantity("1Gi")).endResources().build())
        .withNewResources().addToRequests("cpu", new Quantity("6")).addToLimits("memory", new Quantity("64Gi")).endResources()
        .addToOverhead("cpu", new Quantity("100m"))
        .build();
    var usage = RankQuotaUsage.of(template, 8);
    assertThat(usage.get("requests.cpu")).as("pod level, plus overhead").isEqualByComparingTo("6.1");
    assertThat(usage.get("requests.memory")).as("a pod-level limit alone is the request").isEqualByComparingTo(BigDecimal.valueOf(64L << 30));
    assertThat(usage.get("limits.memory")).isEqualByComparingTo(BigDecimal.valueOf(64L << 30));
    assertThat(usage.get("requests.nvidia.com/gpu")).as("GPUs stay the containers'").isEqualByComparingTo("8");
  }
}

package dev.gangway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ScopedResourceSelectorRequirement;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QuotaConstraintsTest {

  private static ResourceQuota quota(String hardKey) {
    return new ResourceQuotaBuilder().withNewMetadata().withName("q").withNamespace("team-a").endMetadata().withNewSpec()
        .addToHard(hardKey, new Quantity("100")).endSpec().build();
  }

  private static Container container(String name, String requests, String limits) {
    var b = new ContainerBuilder().withName(name).withNewResources().endResources();
    if (requests != null) {
      b.editResources().addToRequests(requests, new Quantity("1")).endResources();
    }
    if (limits != null) {
      b.editResources().addToLimits(limits, new Quantity("1")).endResources();
    }
    return b.build();
  }

  private static PodSpec pod(Container... containers) {
    return new PodSpecBuilder().withContainers(containers).build();
  }

  private static final LimitRange CPU_DEFAULT = new LimitRangeBuilder().withNewMetadata().withName("defaults").endMetadata().withNewSpec()
      .addNewLimit().withType("Container").addToDefaultRequest("cpu", new Quantity("1")).endLimit().endSpec().build();

  /** quotas, template, LimitRanges, what the sentence names (null: nothing is unset). */
  static Stream<Arguments> templates() {
    ResourceQuota urgentOnly = new ResourceQuotaBuilder(quota("requests.cpu")).editSpec().withNewScopeSelector()
        .addToMatchExpressions(new ScopedResourceSelectorRequirement("In", "PriorityClass", List.of("urgent"))).endScopeSelector()
        .endSpec().build();
    return Stream.of(
        Arguments.of("no quota", List.of(), pod(container("trainer", null, null)), List.of(), null),
        Arguments.of("a GPU quota needs nothing set", List.of(quota("requests.nvidia.com/gpu")), pod(container("trainer", null, null)),
            List.of(), null),
        Arguments.of("a CPU quota and no CPU request", List.of(quota("requests.cpu")), pod(container("trainer", null, null)), List.of(),
            "container 'trainer' of spec.template sets no requests.cpu"),
        Arguments.of("bare cpu is the request", List.of(quota("cpu")), pod(container("trainer", null, null)), List.of(),
            "sets no cpu"),
        Arguments.of("a CPU limit alone requests it", List.of(quota("requests.cpu")), pod(container("trainer", null, "cpu")), List.of(),
            null),
        Arguments.of("a memory limit quota and only a request", List.of(quota("limits.memory")), pod(container("trainer", "memory", null)),
            List.of(), "sets no limits.memory"),
        Arguments.of("every container, the second one too", List.of(quota("requests.cpu")),
            pod(container("trainer", "cpu", null), container("logger", null, null)), List.of(), "container 'logger'"),
        Arguments.of("init containers too", List.of(quota("requests.cpu")),
            new PodSpecBuilder(pod(container("trainer", "cpu", null))).withInitContainers(container("fetch", null, null)).build(),
            List.of(), "container 'fetch'"),
        Arguments.of("a LimitRange default sets it", List.of(quota("requests.cpu")), pod(container("trainer", null, null)),
            List.of(CPU_DEFAULT), null),
        Arguments.of("a quota that does not select the ranks", List.of(urgentOnly), pod(container("trainer", null, null)), List.of(),
            null),
        Arguments.of("resources set at pod level lift the rule", List.of(quota("requests.cpu")),
            new PodSpecBuilder(pod(container("trainer", null, null))).withNewResources().addToRequests("cpu", new Quantity("4"))
                .endResources().build(), List.of(), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("templates")
  void aQuotaOnCpuOrMemoryNeedsEveryContainerToSetIt(String name, List<ResourceQuota> quotas, PodSpec template,
                                                      List<LimitRange> limitRanges, String says) {
    Optional<String> unset = QuotaConstraints.unset(quotas, template, limitRanges, RankQuotaUsage.of(template, 8, limitRanges));
    if (says == null) {
      assertThat(unset).isEmpty();
    } else {
      assertThat(unset).hasValueSatisfying(m -> assertThat(m).startsWith("ResourceQuota 'q' in namespace team-a constrains ")
          .contains(says).endsWith("no rank pod is created meanwhile"));
    }
  }
}

package dev.gangway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ScopedResourceSelectorRequirement;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QuotaFitTest {
  /** A rank: 8 GPUs (set by Gangway), 4 CPUs, 32Gi requested, memory limit 64Gi. */
  private static final PodSpec RANK = new PodSpecBuilder().addToContainers(new ContainerBuilder().withName("train")
      .withNewResources().addToRequests("cpu", new Quantity("4")).addToRequests("memory", new Quantity("32Gi"))
      .addToLimits("memory", new Quantity("64Gi")).endResources().build()).build();

  private static ResourceQuota quota(String name, Map<String, String> hard, Map<String, String> used, String scope, String... classes) {
    var b = new ResourceQuotaBuilder().withNewMetadata().withName(name).withNamespace("team-a").endMetadata().withNewSpec().endSpec();
    hard.forEach((k, v) -> b.editSpec().addToHard(k, new Quantity(v)).endSpec());
    b.withNewStatus().endStatus();
    used.forEach((k, v) -> b.editStatus().addToUsed(k, new Quantity(v)).endStatus());
    if ("PriorityClass".equals(scope)) {
      b.editSpec().withNewScopeSelector().addToMatchExpressions(new ScopedResourceSelectorRequirement("In", scope, List.of(classes)))
          .endScopeSelector().endSpec();
    } else if (scope != null) {
      b.editSpec().addToScopes(scope).endSpec();
    }
    return b.build();
  }

  private static ResourceQuota quota(Map<String, String> hard, Map<String, String> used) {
    return quota("gpus", hard, used, null);
  }

  /** the namespace's quotas, ranks to create, reserved by other gangs, what the shortfall says (null: it fits). */
  static Stream<Arguments> gangs() {
    return Stream.of(
        Arguments.of("no quota", List.of(), 2, Map.of(), null),
        Arguments.of("room for exactly the gang", List.of(quota(Map.of("requests.nvidia.com/gpu", "16"), Map.of())), 2, Map.of(), null),
        Arguments.of("half of it used", List.of(quota(Map.of("requests.nvidia.com/gpu", "16"), Map.of("requests.nvidia.com/gpu", "8"))), 2,
            Map.of(), "2 rank pods need requests.nvidia.com/gpu 16 (8 each); ResourceQuota 'gpus' in namespace team-a allows 16 and 8 of it is in use"),
        Arguments.of("never enough", List.of(quota(Map.of("requests.nvidia.com/gpu", "8"), Map.of())), 2, Map.of(),
            "allows 8 in all, so the job cannot start until the quota is raised or the job made smaller"),
        Arguments.of("limits count too", List.of(quota(Map.of("limits.nvidia.com/gpu", "8"), Map.of())), 2, Map.of(), "limits.nvidia.com/gpu 16"),
        Arguments.of("bare cpu means requested cpu", List.of(quota(Map.of("cpu", "6"), Map.of())), 2, Map.of(), "cpu 8 (4 each)"),
        Arguments.of("memory limits", List.of(quota(Map.of("limits.memory", "100Gi"), Map.of())), 2, Map.of(), "limits.memory"),
        Arguments.of("a pod count", List.of(quota(Map.of("count/pods", "3"), Map.of("count/pods", "2"))), 2, Map.of(), "count/pods 2"),
        Arguments.of("what other gangs reserved counts", List.of(quota(Map.of("requests.nvidia.com/gpu", "16"), Map.of())), 2,
            Map.of("requests.nvidia.com/gpu", BigDecimal.valueOf(8)), "8 of it is in use"),
        Arguments.of("a resource the rank does not use", List.of(quota(Map.of("requests.storage", "1"), Map.of())), 2, Map.of(), null),
        Arguments.of("a quota for another priority class", List.of(quota("hi", Map.of("requests.nvidia.com/gpu", "0"), Map.of(),
            "PriorityClass", "urgent")), 2, Map.of(), null),
        Arguments.of("a quota for best-effort pods", List.of(quota("be", Map.of("pods", "0"), Map.of(), "BestEffort")), 2, Map.of(), null),
        Arguments.of("a quota for pods not best effort", List.of(quota("nbe", Map.of("pods", "1"), Map.of(), "NotBestEffort")), 2, Map.of(),
            "ResourceQuota 'nbe'"),
        Arguments.of("a quota for cross-namespace affinity, and the rank has none", List.of(quota("x", Map.of("pods", "0"), Map.of(),
            "CrossNamespacePodAffinity")), 2, Map.of(), null),
        Arguments.of("a scope that cannot be judged is left out", List.of(quota("x", Map.of("pods", "0"), Map.of(),
            "SomeFutureScope")), 2, Map.of(), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("gangs")
  void aGangFitsItsNamespacesQuotasWholeOrWaits(String name, List<ResourceQuota> quotas, int ranks, Map<String, BigDecimal> reserved,
                                                  String shortfall) {
    Optional<String> found = QuotaFit.shortfall(quotas, RANK, RankQuotaUsage.of(RANK, 8), ranks, reserved);
    if (shortfall == null) {
      assertThat(found).isEmpty();
    } else {
      assertThat(found).hasValueSatisfying(m -> assertThat(m).contains(shortfall).endsWith("No rank pod is created meanwhile: the whole gang or none"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("priorityScopes")
  void aPriorityClassScopeSelectsTheRanksOfThatClassOnly(String operator, List<String> values, String rankClass, boolean counted) {
    PodSpec rank = new PodSpecBuilder(RANK).withPriorityClassName(rankClass).build();
    ResourceQuota q = new ResourceQuotaBuilder(quota(Map.of("pods", "0"), Map.of())).editSpec().withNewScopeSelector()
        .addToMatchExpressions(new ScopedResourceSelectorRequirement(operator, "PriorityClass", values)).endScopeSelector().endSpec().build();
    assertThat(QuotaFit.shortfall(List.of(q), rank, RankQuotaUsage.of(rank, 8), 1, Map.of()).isPresent()).isEqualTo(counted);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("affinities")
  void aCrossNamespaceAffinityScopeSelectsRanksWhoseAffinityTermsReachOtherNamespaces(String name, io.fabric8.kubernetes.api.model.Affinity affinity,
                                                                                     boolean counted) {
    PodSpec rank = new PodSpecBuilder(RANK).withAffinity(affinity).build();
    ResourceQuota q = quota("x", Map.of("pods", "0"), Map.of(), "CrossNamespacePodAffinity");
    assertThat(QuotaFit.shortfall(List.of(q), rank, RankQuotaUsage.of(rank, 8), 1, Map.of()).isPresent()).isEqualTo(counted);
  }

  static Stream<Arguments> affinities() {
    var term = new io.fabric8.kubernetes.api.model.PodAffinityTermBuilder().withTopologyKey("kubernetes.io/hostname");
    return Stream.of(
        Arguments.of("no affinity", null, false),
        Arguments.of("a same-namespace affinity", new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewPodAffinity()
            .addToRequiredDuringSchedulingIgnoredDuringExecution(term.build()).endPodAffinity().build(), false),
        Arguments.of("an affinity naming namespaces", new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewPodAffinity()
            .addToRequiredDuringSchedulingIgnoredDuringExecution(new io.fabric8.kubernetes.api.model.PodAffinityTermBuilder(term.build())
                .withNamespaces("data").build()).endPodAffinity().build(), true),
        Arguments.of("a preferred anti-affinity selecting namespaces", new io.fabric8.kubernetes.api.model.AffinityBuilder()
            .withNewPodAntiAffinity().addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(1)
            .withPodAffinityTerm(new io.fabric8.kubernetes.api.model.PodAffinityTermBuilder(term.build()).withNewNamespaceSelector()
                .endNamespaceSelector().build()).endPreferredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().build(), true));
  }

  @org.junit.jupiter.api.Test
  void aRankNamingNoPriorityClassIsJudgedWithTheClustersDefaultOne() {
    ResourceQuota q = new ResourceQuotaBuilder(quota(Map.of("pods", "0"), Map.of())).editSpec().withNewScopeSelector()
        .addToMatchExpressions(new ScopedResourceSelectorRequirement("In", "PriorityClass", List.of("batch"))).endScopeSelector().endSpec().build();
    PodSpec admitted = new NamespaceLimits(List.of(q), List.of(), "batch").asAdmitted(RANK);
    assertThat(admitted.getPriorityClassName()).isEqualTo("batch");
    assertThat(RANK.getPriorityClassName()).as("the template itself unchanged").isNull();
    assertThat(QuotaFit.shortfall(List.of(q), admitted, RankQuotaUsage.of(admitted, 8), 1, Map.of())).isPresent();
    assertThat(new NamespaceLimits(List.of(q), List.of()).asAdmitted(RANK)).as("no default class").isSameAs(RANK);
    PodSpec named = new PodSpecBuilder(RANK).withPriorityClassName("urgent").build();
    assertThat(new NamespaceLimits(List.of(q), List.of(), "batch").asAdmitted(named).getPriorityClassName()).isEqualTo("urgent");
  }

  static Stream<Arguments> priorityScopes() {
    return Stream.of(
        Arguments.of("In", List.of("urgent"), "urgent", true),
        Arguments.of("In", List.of("urgent"), "batch", false),
        Arguments.of("In", List.of("urgent"), null, false),
        Arguments.of("NotIn", List.of("urgent"), "batch", true),
        Arguments.of("NotIn", List.of("urgent"), "urgent", false),
        Arguments.of("Exists", List.of(), "batch", true),
        Arguments.of("Exists", List.of(), null, false),
        Arguments.of("DoesNotExist", List.of(), null, true));
  }
}

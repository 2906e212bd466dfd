package dev.gangway.quota;

import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceQuotaSpec;
import io.fabric8.kubernetes.api.model.ScopedResourceSelectorRequirement;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whether a quota's scopes select a rank pod, judged from its template as the API server would: Terminating /
 * NotTerminating (activeDeadlineSeconds), BestEffort / NotBestEffort (the pod's QoS class: any CPU or memory request or
 * limit), PriorityClass (the
 * template's priorityClassName, or the cluster's default one, {@link NamespaceLimits#asAdmitted}), CrossNamespacePodAffinity
 * (a pod affinity or anti-affinity term naming namespaces or selecting them). Any other scope counts as not selecting it
 * (see {@link QuotaFit}).
 */
final class QuotaScopes {

  private QuotaScopes() {
  }

  /** @param perRank the rank pod's usage ({@link RankQuotaUsage#of}): its QoS class follows from it */
  static boolean appliesTo(ResourceQuotaSpec spec, PodSpec pod, java.util.Map<String, java.math.BigDecimal> perRank) {
    boolean bestEffort = java.util.stream.Stream.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")
        .noneMatch(k -> perRank.getOrDefault(k, java.math.BigDecimal.ZERO).signum() > 0);
    List<ScopedResourceSelectorRequirement> all = new ArrayList<>();
    if (spec.getScopes() != null) {
      spec.getScopes().forEach(s -> all.add(new ScopedResourceSelectorRequirement("Exists", s, null)));
    }
    if (spec.getScopeSelector() != null && spec.getScopeSelector().getMatchExpressions() != null) {
      all.addAll(spec.getScopeSelector().getMatchExpressions());
    }
    return all.stream().allMatch(r -> selects(r, pod, bestEffort));
  }

  private static boolean selects(ScopedResourceSelectorRequirement r, PodSpec pod, boolean bestEffort) {
    return switch (String.valueOf(r.getScopeName())) {
      case "Terminating" -> pod != null && pod.getActiveDeadlineSeconds() != null;
      case "NotTerminating" -> pod == null || pod.getActiveDeadlineSeconds() == null;
      case "BestEffort" -> bestEffort;
      case "NotBestEffort" -> !bestEffort;
      case "PriorityClass" -> priorityClass(r, pod == null ? null : pod.getPriorityClassName());
      case "CrossNamespacePodAffinity" -> crossNamespaceAffinity(pod);
      default -> false;
    };
  }

  /** A pod (anti-)affinity term, required or preferred, reaching other namespaces: a namespace list or a namespace selector. */
  private static boolean crossNamespaceAffinity(PodSpec pod) {
    if (pod == null || pod.getAffinity() == null) {
      return false;
    }
    List<PodAffinityTerm> terms = new ArrayList<>();
    var affinity = pod.getAffinity().getPodAffinity();
    if (affinity != null) {
      terms.addAll(Objects.requireNonNullElse(affinity.getRequiredDuringSchedulingIgnoredDuringExecution(), List.of()));
      Objects.requireNonNullElse(affinity.getPreferredDuringSchedulingIgnoredDuringExecution(), List.<WeightedPodAffinityTerm>of())
          .forEach(w -> terms.add(w.getPodAffinityTerm()));
    }
    var anti = pod.getAffinity().getPodAntiAffinity();
    if (anti != null) {
      terms.addAll(Objects.requireNonNullElse(anti.getRequiredDuringSchedulingIgnoredDuringExecution(), List.of()));
      Objects.requireNonNullElse(anti.getPreferredDuringSchedulingIgnoredDuringExecution(), List.<WeightedPodAffinityTerm>of())
          .forEach(w -> terms.add(w.getPodAffinityTerm()));
    }
    return terms.stream().anyMatch(t -> t != null
        && ((t.getNamespaces() != null && !t.getNamespaces().isEmpty()) || t.getNamespaceSelector() != null));
  }

  private static boolean priorityClass(ScopedResourceSelectorRequirement r, String name) {
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (String.valueOf(r.getOperator())) {
      case "Exists" -> name != null && !name.isEmpty();
      case "DoesNotExist" -> name == null || name.isEmpty();
      case "In" -> name != null && values.contains(name);
      case "NotIn" -> name == null || !values.contains(name);
      default -> false;
    };
  }
}

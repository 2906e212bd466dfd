package dev.gangway.quota;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceQuotaSpec;
import io.fabric8.kubernetes.api.model.ScopedResourceSelectorRequirement;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a quota's scopes select a rank pod, judged from its template as the API server would: Terminating /
 * NotTerminating (activeDeadlineSeconds), BestEffort / NotBestEffort (the pod's QoS class: any CPU or memory request or
 * limit), PriorityClass (the
 * template's priorityClassName). Any other scope counts as not selecting it (see {@link QuotaFit}).
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
      default -> false;
    };
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

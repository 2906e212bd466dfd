package dev.gangway.quota;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.util.List;

/**
 * What admits a namespace's rank pods besides the nodes: its ResourceQuotas, its LimitRanges, whose container defaults
 * the API server fills in before the quotas count a pod, and the cluster's default PriorityClass, which the API server
 * gives a pod that names none before a quota scoped by PriorityClass selects it.
 *
 * @param defaultPriorityClass the name of the PriorityClass with globalDefault true; null when there is none
 */
public record NamespaceLimits(List<ResourceQuota> quotas, List<LimitRange> limitRanges, String defaultPriorityClass) {
  public static final NamespaceLimits NONE = new NamespaceLimits(List.of(), List.of());

  public NamespaceLimits(List<ResourceQuota> quotas, List<LimitRange> limitRanges) {
    this(quotas, limitRanges, null);
  }

  /** The pod template as the quota admission judges it: its PriorityClass defaulted as the API server does. */
  public PodSpec asAdmitted(PodSpec template) {
    if (template == null || template.getPriorityClassName() != null || defaultPriorityClass == null) {
      return template;
    }
    return new PodSpecBuilder(template).withPriorityClassName(defaultPriorityClass).build();
  }
}

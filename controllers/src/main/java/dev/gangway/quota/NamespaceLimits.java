package dev.gangway.quota;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.util.List;

/**
 * What admits a namespace's rank pods besides the nodes: its ResourceQuotas, and its LimitRanges, whose container
 * defaults the API server fills in before the quotas count a pod.
 */
public record NamespaceLimits(List<ResourceQuota> quotas, List<LimitRange> limitRanges) {
  public static final NamespaceLimits NONE = new NamespaceLimits(List.of(), List.of());
}

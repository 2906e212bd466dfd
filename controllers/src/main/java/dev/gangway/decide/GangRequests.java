package dev.gangway.decide;

import dev.gangway.api.v1alpha1.TrainingJobSpec;
import dev.gangway.placement.GangRequest;
import dev.gangway.placement.Resources;
import dev.gangway.quota.RankQuotaUsage;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gang request a placement decision is made on. Each rank asks for the CPU and memory its pod will have once the API
 * server admits it (the namespace's LimitRange defaults filled into containers that set none, sidecars added to the app
 * containers, pod-level resources and overhead counted): that is what kube-scheduler then finds room for on the node
 * Gangway pinned the rank to. Placed on the template's bare numbers, a gang whose containers set no CPU was put where the
 * scheduler then refused it, and waited out a bind deadline. One model with the quota check ({@link RankQuotaUsage}).
 */
final class GangRequests {
  private static final BigDecimal MILLIS = BigDecimal.valueOf(1000);

  private GangRequests() {
  }

  static GangRequest of(String jobKey, TrainingJobSpec spec, List<LimitRange> limitRanges, Set<String> excludedNodes) {
    PodSpec template = spec.getTemplate() == null ? null : spec.getTemplate().getSpec();
    Map<String, BigDecimal> usage = RankQuotaUsage.of(template, spec.gpus(), limitRanges);
    long cpuMillis = ceil(usage.getOrDefault("requests.cpu", BigDecimal.ZERO).multiply(MILLIS));
    long memoryBytes = ceil(usage.getOrDefault("requests.memory", BigDecimal.ZERO));
    return GangRequest.from(jobKey, spec, new Resources(spec.gpus(), cpuMillis, memoryBytes), excludedNodes);
  }

  /** Up, as the scheduler counts: half a millicore still takes one. */
  private static long ceil(BigDecimal amount) {
    return amount.setScale(0, RoundingMode.CEILING).longValueExact();
  }
}

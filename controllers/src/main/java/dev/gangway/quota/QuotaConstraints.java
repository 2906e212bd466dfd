package dev.gangway.quota;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A quota on CPU or memory makes the API server refuse any pod one of whose containers does not set that resource
 * ("failed quota: cpu: must specify requests.cpu"), a rule kept for compatibility, whatever room the quota has. Every rank
 * pod of a gang is refused alike, so this is judged before any is created: the job waits for its template, or a
 * LimitRange default, to set it.
 */
public final class QuotaConstraints {
  /** The quota resources that every container must set where a quota constrains them. */
  private static final Set<String> MUST_BE_SET = Set.of("cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory");

  private QuotaConstraints() {
  }

  /**
   * Which quota needs a resource some container of the template leaves unset (after the API server's defaulting of a
   * request from a limit, and the LimitRanges' container defaults), as a sentence; empty when none does.
   */
  public static Optional<String> unset(List<ResourceQuota> quotas, PodSpec template, List<LimitRange> limitRanges,
                                       Map<String, BigDecimal> perRank) {
    if (template == null || podLevelResources(template)) {
      // Resources set at pod level lift the rule (Kubernetes 1.34, PodLevelResources): containers need not set them.
      return Optional.empty();
    }
    // GPUs play no part here: no gpusPerReplica to apply.
    List<RankQuotaUsage.AdmittedContainer> containers = RankQuotaUsage.containers(template, 0, ContainerDefaults.of(limitRanges));
    for (ResourceQuota quota : QuotaFit.sorted(quotas)) {
      if (quota.getSpec() == null || quota.getSpec().getHard() == null || !QuotaScopes.appliesTo(quota.getSpec(), template, perRank)) {
        continue;
      }
      Set<String> required = new TreeSet<>(quota.getSpec().getHard().keySet());
      required.retainAll(MUST_BE_SET);
      if (required.isEmpty()) {
        continue;
      }
      for (RankQuotaUsage.AdmittedContainer c : containers) {
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(set(c));
        if (!missing.isEmpty()) {
          return Optional.of("ResourceQuota '" + quota.getMetadata().getName() + "' in namespace " + quota.getMetadata().getNamespace()
              + " constrains " + String.join(", ", required) + ", and the API server refuses a pod any of whose containers does "
              + "not set it: container '" + c.name() + "' of spec.template sets no " + String.join(", ", missing)
              + ". Set it on every container of spec.template (with spec.suspend: true in the same update, then resume), or ask for "
              + "a LimitRange default in the namespace; no rank pod is created meanwhile");
        }
      }
    }
    return Optional.empty();
  }

  private static boolean podLevelResources(PodSpec template) {
    var r = template.getResources();
    return r != null && ((r.getRequests() != null && !r.getRequests().isEmpty()) || (r.getLimits() != null && !r.getLimits().isEmpty()));
  }

  /** The quota resources a container sets, as the quota admission reads them. */
  private static Set<String> set(RankQuotaUsage.AdmittedContainer c) {
    var requests = c.requests();
    var limits = c.limits();
    Set<String> set = new TreeSet<>();
    for (String r : List.of("cpu", "memory")) {
      if (requests.containsKey(r)) {
        set.add(r);
        set.add("requests." + r);
      }
      if (limits.containsKey(r)) {
        set.add("limits." + r);
      }
    }
    return set;
  }
}

package dev.gangway.quota;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Whether a whole gang's rank pods fit what the namespace's ResourceQuotas leave, so that none is created when the
 * quota admission would refuse some: a gang half created holds GPUs that cannot train, and two such gangs in one
 * namespace would each wait for the other forever.
 *
 * <p>A quota whose scopes cannot be judged from the pod template (a scope this version does not know) is
 * left out: wrongly counting it would make a job wait for nothing, while a quota left out still refuses at create time,
 * and from then on is counted for that job ({@link QuotaRefusals}).
 */
public final class QuotaFit {

  private QuotaFit() {
  }

  /**
   * The first quota the gang does not fit, as a sentence for the Placed condition; empty when it fits.
   *
   * @param perRank one rank pod's usage ({@link RankQuotaUsage#of})
   * @param ranks the rank pods still to create
   * @param reserved usage of other gangs of the namespace decided but perhaps not counted by the quotas yet, by quota
   *     resource name (counted on top of {@code used}: a gang may wait a moment longer, never be half created)
   */
  public static Optional<String> shortfall(List<ResourceQuota> quotas, PodSpec template, Map<String, BigDecimal> perRank, int ranks,
                                           Map<String, BigDecimal> reserved) {
    return shortfall(quotas, template, perRank, ranks, reserved, Set.of());
  }

  /**
   * As {@link #shortfall(List, PodSpec, Map, int, Map)}, with quotas known to count the gang's pods whatever their scopes
   * say (one refused a rank pod at creation, {@link QuotaRefusals}).
   */
  public static Optional<String> shortfall(List<ResourceQuota> quotas, PodSpec template, Map<String, BigDecimal> perRank, int ranks,
                                           Map<String, BigDecimal> reserved, Set<String> counting) {
    for (ResourceQuota quota : sorted(quotas)) {
      if (quota.getSpec() == null || quota.getSpec().getHard() == null
          || !(counting.contains(quota.getMetadata().getName()) || QuotaScopes.appliesTo(quota.getSpec(), template, perRank))) {
        continue;
      }
      for (Map.Entry<String, Quantity> hard : new TreeMap<>(quota.getSpec().getHard()).entrySet()) {
        String counted = RankQuotaUsage.counted(hard.getKey());
        BigDecimal each = perRank.get(counted);
        if (each == null || each.signum() == 0) {
          continue;
        }
        BigDecimal limit = Quantity.getAmountInBytes(hard.getValue());
        BigDecimal used = used(quota, hard.getKey()).add(reserved.getOrDefault(counted, BigDecimal.ZERO));
        BigDecimal need = each.multiply(BigDecimal.valueOf(ranks));
        if (used.add(need).compareTo(limit) > 0) {
          return Optional.of(message(quota, hard.getKey(), limit, used, need, each, ranks));
        }
      }
    }
    return Optional.empty();
  }

  /** The quotas by name, so that the first one a gang does not fit is always the same. */
  static List<ResourceQuota> sorted(List<ResourceQuota> quotas) {
    List<ResourceQuota> byName = new ArrayList<>(quotas);
    byName.sort(java.util.Comparator.comparing(q -> q.getMetadata().getName()));
    return byName;
  }

  private static BigDecimal used(ResourceQuota quota, String key) {
    Map<String, Quantity> used = quota.getStatus() == null ? null : quota.getStatus().getUsed();
    Quantity q = used == null ? null : used.get(key);
    return q == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(q);
  }

  private static String message(ResourceQuota quota, String key, BigDecimal limit, BigDecimal used, BigDecimal need, BigDecimal each,
                                int ranks) {
    String where = "ResourceQuota '" + quota.getMetadata().getName() + "' in namespace " + quota.getMetadata().getNamespace();
    String gang = ranks + (ranks == 1 ? " rank pod needs " : " rank pods need ") + key + " " + plain(need)
        + (ranks == 1 ? "" : " (" + plain(each) + " each)");
    String left = limit.compareTo(need) < 0
        ? where + " allows " + plain(limit) + " in all, so the job cannot start until the quota is raised or the job made smaller"
        : where + " allows " + plain(limit) + " and " + plain(used) + " of it is in use; the job starts once enough of it is free or "
            + "the quota is raised";
    return gang + "; " + left + ". No rank pod is created meanwhile: the whole gang or none";
  }

  private static String plain(BigDecimal amount) {
    return amount.stripTrailingZeros().toPlainString();
  }
}

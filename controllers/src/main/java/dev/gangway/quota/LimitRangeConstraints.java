package dev.gangway.quota;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A LimitRange's {@code min}, {@code max} and {@code maxLimitRequestRatio} make the API server refuse any pod whose
 * containers (item type {@code Container}) or whole pod (type {@code Pod}) fall outside them, after its defaults are filled
 * in. Every rank pod of a gang is refused alike, so this is judged before any is created, as the LimitRanger admission
 * judges it: a gang that would be refused waits, holding nothing, for its spec or the LimitRange to change, instead of
 * holding its nodes while each create is refused.
 */
public final class LimitRangeConstraints {
  /** The sentences listed at most; a template that breaks more says how many more. */
  private static final int LISTED = 4;

  private LimitRangeConstraints() {
  }

  /**
   * What the LimitRanges of the namespace refuse in one rank pod, as a sentence naming them; empty when they admit it.
   *
   * @param template the pod template as admitted ({@link NamespaceLimits#asAdmitted})
   * @param gpus the job's gpusPerReplica, the main container's GPU limit on every rank pod
   */
  public static Optional<String> violated(PodSpec template, int gpus, List<LimitRange> limitRanges) {
    if (template == null || limitRanges.isEmpty()) {
      return Optional.empty();
    }
    List<RankQuotaUsage.AdmittedContainer> containers = RankQuotaUsage.containers(template, gpus, ContainerDefaults.of(limitRanges));
    PodTotals pod = PodTotals.of(template, containers);
    Set<String> names = new LinkedHashSet<>();
    List<String> violations = new ArrayList<>();
    for (LimitRange range : limitRanges.stream().sorted(Comparator.comparing((LimitRange l) -> l.getMetadata().getName())).toList()) {
      if (range.getSpec() == null || range.getSpec().getLimits() == null) {
        continue;
      }
      int before = violations.size();
      for (LimitRangeItem item : range.getSpec().getLimits()) {
        if ("Container".equals(item.getType())) {
          for (RankQuotaUsage.AdmittedContainer c : containers) {
            String which = " (" + (c.init() ? "init container '" : "container '") + c.name() + "')";
            check(item, "Container", exact(c.requests()), exact(c.limits())).forEach(v -> violations.add(v + which));
          }
        } else if ("Pod".equals(item.getType())) {
          check(item, "Pod", pod.requests(), pod.limits()).forEach(v -> violations.add(v + " (the containers together)"));
        }
      }
      if (violations.size() > before) {
        names.add("'" + range.getMetadata().getName() + "'");
      }
    }
    if (violations.isEmpty()) {
      return Optional.empty();
    }
    List<String> listed = violations.stream().distinct().toList();
    String more = listed.size() > LISTED ? "; and " + (listed.size() - LISTED) + " more" : "";
    String namespace = limitRanges.get(0).getMetadata().getNamespace();
    return Optional.of((names.size() == 1 ? "LimitRange " : "LimitRanges ") + String.join(", ", names) + " in namespace " + namespace
        + " refuse" + (names.size() == 1 ? "s" : "") + " every rank pod: " + String.join("; ", listed.subList(0, Math.min(LISTED, listed.size())))
        + more + ". Change spec.template or spec.gpusPerReplica (with spec.suspend: true in the same update, then resume), or ask "
        + "for the LimitRange to be changed; no rank pod is created meanwhile");
  }

  /** The LimitRanger's three rules for one item, in its words ("maximum cpu usage per Container is 2, but limit is 4"). */
  private static List<String> check(LimitRangeItem item, String type, Map<String, BigDecimal> requests, Map<String, BigDecimal> limits) {
    List<String> found = new ArrayList<>();
    forEach(item.getMin(), (r, min) -> {
      BigDecimal enforced = amount(min);
      if (!requests.containsKey(r)) {
        found.add("minimum " + r + " usage per " + type + " is " + min + ", but no request is set");
      } else if (requests.get(r).compareTo(enforced) < 0) {
        found.add("minimum " + r + " usage per " + type + " is " + min + ", but request is " + show(requests.get(r)));
      } else if (limits.containsKey(r) && limits.get(r).compareTo(enforced) < 0) {
        found.add("minimum " + r + " usage per " + type + " is " + min + ", but limit is " + show(limits.get(r)));
      }
    });
    forEach(item.getMax(), (r, max) -> {
      BigDecimal enforced = amount(max);
      if (!limits.containsKey(r)) {
        found.add("maximum " + r + " usage per " + type + " is " + max + ", but no limit is set");
      } else if (limits.get(r).compareTo(enforced) > 0) {
        found.add("maximum " + r + " usage per " + type + " is " + max + ", but limit is " + show(limits.get(r)));
      } else if (requests.containsKey(r) && requests.get(r).compareTo(enforced) > 0) {
        found.add("maximum " + r + " usage per " + type + " is " + max + ", but request is " + show(requests.get(r)));
      }
    });
    forEach(item.getMaxLimitRequestRatio(), (r, ratio) -> {
      BigDecimal request = requests.get(r);
      BigDecimal limit = limits.get(r);
      if (request == null || request.signum() == 0) {
        found.add(r + " max limit to request ratio per " + type + " is " + ratio + ", but no request is set or it is 0");
      } else if (limit == null || limit.signum() == 0) {
        found.add(r + " max limit to request ratio per " + type + " is " + ratio + ", but no limit is set or it is 0");
      } else if (limit.divide(request, 6, RoundingMode.HALF_UP).compareTo(amount(ratio)) > 0) {
        found.add(r + " max limit to request ratio per " + type + " is " + ratio + ", but limit " + show(limit) + " / request "
            + show(request) + " is " + limit.divide(request, 2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString());
      }
    });
    return found;
  }

  /** The pod's requests and limits as the LimitRanger sums them: containers as the quota counts them, without overhead. */
  private record PodTotals(Map<String, BigDecimal> requests, Map<String, BigDecimal> limits) {
    static PodTotals of(PodSpec template, List<RankQuotaUsage.AdmittedContainer> containers) {
      PodTotals totals = new PodTotals(new HashMap<>(), new HashMap<>());
      RankQuotaUsage.total(containers, true, totals.requests());
      RankQuotaUsage.total(containers, false, totals.limits());
      if (template.getResources() != null) {
        RankQuotaUsage.podLevel(template.getResources(), totals.requests(), totals.limits());
      }
      return totals;
    }
  }

  private static Map<String, BigDecimal> exact(Map<String, Quantity> amounts) {
    Map<String, BigDecimal> exact = new HashMap<>();
    amounts.forEach((r, q) -> exact.put(r, amount(q)));
    return exact;
  }

  private static void forEach(Map<String, Quantity> constraint, java.util.function.BiConsumer<String, Quantity> action) {
    if (constraint != null) {
      new java.util.TreeMap<>(constraint).forEach(action);
    }
  }

  private static BigDecimal amount(Quantity q) {
    return Quantity.getAmountInBytes(q);
  }

  private static final BigDecimal KI = BigDecimal.valueOf(1024);
  private static final String[] BINARY = {"Ki", "Mi", "Gi", "Ti"};

  /** An amount as a person writes it: 500m, 4, 32Gi. */
  static String show(BigDecimal amount) {
    BigDecimal a = amount.stripTrailingZeros();
    if (a.scale() > 0) {
      BigDecimal milli = a.movePointRight(3);
      return milli.stripTrailingZeros().scale() <= 0 ? milli.toBigInteger() + "m" : a.toPlainString();
    }
    String unit = "";
    for (String next : BINARY) {
      if (a.compareTo(KI) < 0 || a.remainder(KI).signum() != 0) {
        break;
      }
      a = a.divide(KI);
      unit = next;
    }
    return a.toPlainString() + unit;
  }
}

package dev.gangway.quota;

import dev.gangway.pod.GpuResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one rank pod counts against a namespace's ResourceQuotas, as the API server's quota admission counts it, after
 * the LimitRanges' container defaults (a request or limit the container leaves unset) are filled in:
 * {@code pods} and {@code count/pods} 1; {@code requests.<r>} and {@code limits.<r>} the sum over app containers and sidecars, or the largest
 * init container (with the sidecars started before it) if more, or CPU and memory set at pod level ({@code spec.resources}), plus pod overhead (on a
 * limit only where one is set); a container with only a limit requests that limit. The main
 * container's GPUs are the job's gpusPerReplica (Gangway sets that limit on every rank pod).
 */
public final class RankQuotaUsage {
  private static final String REQUESTS = "requests.";
  private static final String LIMITS = "limits.";

  private RankQuotaUsage() {
  }

  /** Quota resource name (e.g. {@code requests.nvidia.com/gpu}, {@code pods}) → amount one rank pod uses. */
  public static Map<String, BigDecimal> of(PodSpec template, int gpus) {
    return of(template, gpus, List.of());
  }

  /** As {@link #of(PodSpec, int)}, with the namespace's LimitRanges' container defaults applied. */
  public static Map<String, BigDecimal> of(PodSpec template, int gpus, List<LimitRange> limitRanges) {
    ContainerDefaults defaults = ContainerDefaults.of(limitRanges);
    Map<String, BigDecimal> usage = new HashMap<>();
    usage.put("pods", BigDecimal.ONE);
    usage.put("count/pods", BigDecimal.ONE);
    if (template == null) {
      return usage;
    }
    Map<String, BigDecimal> requests = new HashMap<>();
    Map<String, BigDecimal> limits = new HashMap<>();
    List<AdmittedContainer> admitted = containers(template, gpus, defaults);
    total(admitted, true, requests);
    total(admitted, false, limits);
    if (template.getResources() != null) {
      podLevel(template.getResources(), requests, limits);
    }
    if (template.getOverhead() != null) {
      add(requests, template.getOverhead());
      // A limit gets the overhead only where the pod sets one (as the API server computes pod limits).
      template.getOverhead().forEach((r, q) -> limits.computeIfPresent(r, (k, v) -> v.add(Quantity.getAmountInBytes(q))));
    }
    requests.forEach((r, amount) -> usage.put(REQUESTS + r, amount));
    limits.forEach((r, amount) -> usage.put(LIMITS + r, amount));
    return usage;
  }

  /**
   * One container of a rank pod with its requests and limits as the API server admits them: a limit without a request
   * requests the limit, the LimitRanges' defaults fill the rest, and the main (first) container's GPU limit is the job's
   * gpusPerReplica, as Gangway sets it.
   *
   * @param sidecar an init container with {@code restartPolicy: Always}: it runs beside the app containers
   */
  record AdmittedContainer(String name, boolean init, boolean sidecar, Map<String, Quantity> requests, Map<String, Quantity> limits) {
  }

  /** The template's app containers, then its init containers, each as admitted. */
  static List<AdmittedContainer> containers(PodSpec template, int gpus, ContainerDefaults defaults) {
    List<AdmittedContainer> admitted = new ArrayList<>();
    List<Container> containers = template.getContainers() == null ? List.of() : template.getContainers();
    for (int c = 0; c < containers.size(); c++) {
      Map<String, Quantity> req = amounts(containers.get(c), true);
      Map<String, Quantity> lim = amounts(containers.get(c), false);
      if (c == 0) {
        req.remove(GpuResources.GPU);
        lim.remove(GpuResources.GPU);
        if (gpus > 0) {
          lim.put(GpuResources.GPU, new Quantity(Integer.toString(gpus)));
        }
      }
      admit(req, lim, defaults);
      admitted.add(new AdmittedContainer(containers.get(c).getName(), false, false, req, lim));
    }
    for (Container init : template.getInitContainers() == null ? List.<Container>of() : template.getInitContainers()) {
      Map<String, Quantity> req = amounts(init, true);
      Map<String, Quantity> lim = amounts(init, false);
      admit(req, lim, defaults);
      admitted.add(new AdmittedContainer(init.getName(), true, "Always".equals(init.getRestartPolicy()), req, lim));
    }
    return admitted;
  }

  /**
   * The pod's total of its containers' requests (or limits), as the API server sums them: the app containers and sidecars
   * add up; an ordinary init container runs alone beside the sidecars started before it, and the pod needs the largest
   * such moment if that is more.
   */
  static void total(List<AdmittedContainer> containers, boolean requests, Map<String, BigDecimal> into) {
    Map<String, BigDecimal> sidecars = new HashMap<>();
    Map<String, BigDecimal> initPeak = new HashMap<>();
    for (AdmittedContainer c : containers) {
      Map<String, Quantity> amounts = requests ? c.requests() : c.limits();
      if (!c.init()) {
        add(into, amounts);
      } else if (c.sidecar()) {
        add(into, amounts);
        add(sidecars, amounts);
        sidecars.forEach((r, amount) -> initPeak.merge(r, amount, BigDecimal::max));
      } else {
        Map<String, BigDecimal> moment = new HashMap<>(sidecars);
        add(moment, amounts);
        moment.forEach((r, amount) -> initPeak.merge(r, amount, BigDecimal::max));
      }
    }
    initPeak.forEach((r, amount) -> into.merge(r, amount, BigDecimal::max));
  }

  /**
   * The usage key a quota's hard entry counts: {@code cpu}, {@code memory} and {@code ephemeral-storage} alone mean
   * their requests; every other name is already a quota resource name.
   */
  public static String counted(String hardKey) {
    return switch (hardKey) {
      case "cpu", "memory", "ephemeral-storage" -> REQUESTS + hardKey;
      default -> hardKey;
    };
  }

  /**
   * Fills in a container's requests and limits as the API server does before the quota counts them: a limit without a
   * request requests the limit, then the LimitRanges' defaults.
   */
  private static void admit(Map<String, Quantity> requests, Map<String, Quantity> limits, ContainerDefaults defaults) {
    limits.forEach(requests::putIfAbsent);
    defaults.fill(requests, limits);
  }

  private static Map<String, Quantity> amounts(Container c, boolean requests) {
    if (c.getResources() == null) {
      return new HashMap<>();
    }
    Map<String, Quantity> q = requests ? c.getResources().getRequests() : c.getResources().getLimits();
    return q == null ? new HashMap<>() : new HashMap<>(q);
  }

  /** CPU and memory set at pod level (spec.resources) are the pod's, whatever its containers set; a limit alone is the request. */
  static void podLevel(io.fabric8.kubernetes.api.model.ResourceRequirements pod, Map<String, BigDecimal> requests,
                               Map<String, BigDecimal> limits) {
    Map<String, Quantity> req = pod.getRequests() == null ? new HashMap<>() : new HashMap<>(pod.getRequests());
    Map<String, Quantity> lim = pod.getLimits() == null ? Map.of() : pod.getLimits();
    lim.forEach(req::putIfAbsent);
    for (String r : List.of("cpu", "memory")) {
      if (req.containsKey(r)) {
        requests.put(r, Quantity.getAmountInBytes(req.get(r)));
      }
      if (lim.containsKey(r)) {
        limits.put(r, Quantity.getAmountInBytes(lim.get(r)));
      }
    }
  }

  private static void add(Map<String, BigDecimal> into, Map<String, Quantity> amounts) {
    amounts.forEach((r, q) -> into.merge(r, Quantity.getAmountInBytes(q), BigDecimal::add));
  }
}

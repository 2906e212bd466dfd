package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A pod's effective request the way kube-scheduler computes it: the sum over app containers and sidecars, or the
 * largest init container (with the sidecars started before it) if that is more, plus pod overhead. A container that sets only a limit
 * requests that limit (the API server defaults requests to limits). CPU or memory set at pod level
 * ({@code spec.resources}, Kubernetes 1.34's PodLevelResources, on by default) is the pod's request
 * for that resource instead of its containers' sum.
 */
public final class RankResources {

  public static final String GPU = "nvidia.com/gpu";

  private RankResources() {
  }

  public static Resources of(PodSpec spec) {
    if (spec == null) return Resources.NONE;
    Resources sum = sum(spec.getContainers());
    // A sidecar (an init container with restartPolicy Always) runs beside the app containers and the init containers
    // after it: it adds to the sum and to each later init container's moment.
    Resources sidecars = Resources.NONE;
    Resources init = Resources.NONE;
    if (spec.getInitContainers() != null) {
      for (Container c : spec.getInitContainers()) {
        if ("Always".equals(c.getRestartPolicy())) {
          sum = sum.plus(of(c));
          sidecars = sidecars.plus(of(c));
          init = max(init, sidecars);
        } else {
          init = max(init, sidecars.plus(of(c)));
        }
      }
    }
    Resources total = max(sum, init);
    if (spec.getResources() != null) total = podLevel(total, spec.getResources());
    if (spec.getOverhead() != null) total = total.plus(of(spec.getOverhead(), Map.of()));
    return total;
  }

  private static Resources podLevel(Resources containers, ResourceRequirements pod) {
    Map<String, Quantity> requests = pod.getRequests() == null ? Map.of() : pod.getRequests();
    Map<String, Quantity> limits = pod.getLimits() == null ? Map.of() : pod.getLimits();
    boolean cpu = requests.containsKey("cpu") || limits.containsKey("cpu");
    boolean memory = requests.containsKey("memory") || limits.containsKey("memory");
    return new Resources(containers.gpus(), cpu ? amount("cpu", requests, limits, 1000) : containers.cpuMillis(),
        memory ? amount("memory", requests, limits, 1) : containers.memoryBytes());
  }

  private static Resources sum(List<Container> containers) {
    Resources r = Resources.NONE;
    if (containers != null) {
      for (Container c : containers) r = r.plus(of(c));
    }
    return r;
  }

  static Resources of(Container c) {
    ResourceRequirements req = c.getResources();
    if (req == null) return Resources.NONE;
    Map<String, Quantity> requests = req.getRequests() == null ? Map.of() : req.getRequests();
    Map<String, Quantity> limits = req.getLimits() == null ? Map.of() : req.getLimits();
    return of(requests, limits);
  }

  private static Resources of(Map<String, Quantity> requests, Map<String, Quantity> limits) {
    return new Resources((int) amount(GPU, requests, limits, 1), amount("cpu", requests, limits, 1000),
        amount("memory", requests, limits, 1));
  }

  private static long amount(String name, Map<String, Quantity> requests, Map<String, Quantity> limits, int scale) {
    Quantity q = requests.get(name);
    if (q == null) q = limits.get(name);
    if (q == null) return 0;
    BigDecimal v = Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(scale));
    // Round up like the scheduler: 0.5m of CPU still takes a millicore.
    return v.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
  }

  private static Resources max(Resources a, Resources b) {
    return new Resources(Math.max(a.gpus(), b.gpus()), Math.max(a.cpuMillis(), b.cpuMillis()),
        Math.max(a.memoryBytes(), b.memoryBytes()));
  }
}

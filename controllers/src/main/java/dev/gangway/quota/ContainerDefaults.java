package dev.gangway.quota;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The request and limit the LimitRanger admission gives a container that sets none for a resource: each LimitRange's
 * {@code Container} item's {@code defaultRequest} and {@code default}, the first LimitRange (by name) to name a
 * resource winning. (The API server stores {@code defaultRequest} as {@code default} when only that is given.)
 */
final class ContainerDefaults {
  private final Map<String, Quantity> requests = new HashMap<>();
  private final Map<String, Quantity> limits = new HashMap<>();

  static ContainerDefaults of(List<LimitRange> limitRanges) {
    ContainerDefaults d = new ContainerDefaults();
    limitRanges.stream().sorted(Comparator.comparing((LimitRange l) -> l.getMetadata().getName()))
        .filter(l -> l.getSpec() != null && l.getSpec().getLimits() != null)
        .flatMap(l -> l.getSpec().getLimits().stream())
        .filter(item -> "Container".equals(item.getType()))
        .forEach(d::add);
    return d;
  }

  private void add(LimitRangeItem item) {
    if (item.getDefaultRequest() != null) {
      item.getDefaultRequest().forEach(requests::putIfAbsent);
    }
    if (item.getDefault() != null) {
      item.getDefault().forEach(limits::putIfAbsent);
    }
  }

  /** Fills what the container leaves unset; its own amounts (a request defaulted from its limit included) stay. */
  void fill(Map<String, Quantity> request, Map<String, Quantity> limit) {
    limits.forEach(limit::putIfAbsent);
    requests.forEach(request::putIfAbsent);
  }
}

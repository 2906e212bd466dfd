package dev.gangway.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import java.util.Optional;

/** Reads the GPU count a container asks for, from its limits or requests. */
public final class GpuResources {
  public static final String GPU = "nvidia.com/gpu";

  private GpuResources() {
  }

  public static Optional<Integer> declaredLimit(Container c) {
    return c.getResources() == null ? Optional.empty() : gpus(c.getResources().getLimits());
  }

  public static Optional<Integer> declaredRequest(Container c) {
    return c.getResources() == null ? Optional.empty() : gpus(c.getResources().getRequests());
  }

  private static Optional<Integer> gpus(Map<String, Quantity> quantities) {
    if (quantities == null || !quantities.containsKey(GPU)) {
      return Optional.empty();
    }
    return Optional.of(Quantity.getAmountInBytes(quantities.get(GPU)).intValue());
  }
}

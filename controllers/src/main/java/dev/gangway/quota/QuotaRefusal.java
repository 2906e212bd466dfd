package dev.gangway.quota;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server's quota admission refusing a pod, as its message says: which ResourceQuota, and what the pod counted
 * for the resources that did not fit ({@code exceeded quota: gpus, requested: requests.cpu=2, used: requests.cpu=2,
 * limited: requests.cpu=3}). What the pod counted is the truth after every mutating admission (a sidecar a webhook adds, a
 * PriorityClass defaulted), which the template Gangway counts from may not show.
 *
 * @param quota the ResourceQuota's name
 * @param requestedPerPod quota resource name (as in the quota's {@code hard}) → what the refused pod counted
 * @param message the server's message, for the condition
 */
public record QuotaRefusal(String quota, Map<String, BigDecimal> requestedPerPod, String message) {
  // The quota admission's own wording (k8s.io/apiserver resourcequota controller): resources joined by ",", each name=quantity.
  private static final Pattern EXCEEDED = Pattern.compile("exceeded quota: ([^,]+), requested: ([^ ]*), used: ");

  public QuotaRefusal {
    requestedPerPod = Map.copyOf(requestedPerPod);
  }

  /** The refusal a 403's message describes; empty when it is not the quota admission's. */
  public static Optional<QuotaRefusal> of(String serverMessage) {
    if (serverMessage == null) {
      return Optional.empty();
    }
    Matcher m = EXCEEDED.matcher(serverMessage);
    if (!m.find()) {
      return Optional.empty();
    }
    Map<String, BigDecimal> requested = new HashMap<>();
    for (String entry : m.group(2).split(",")) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      try {
        requested.put(entry.substring(0, eq), Quantity.getAmountInBytes(new Quantity(entry.substring(eq + 1))));
      } catch (IllegalArgumentException e) {
        // A quantity this client cannot read: the quota is still known to count the gang's pods.
      }
    }
    return Optional.of(new QuotaRefusal(m.group(1).trim(), requested, serverMessage));
  }
}

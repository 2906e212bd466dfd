package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;

/** kube-scheduler's TaintToleration filter: NoSchedule and NoExecute taints need a matching toleration. */
public final class TaintToleration {

  private TaintToleration() {
  }

  /** The first taint that keeps the pod off the node, or null when every hard taint is tolerated. */
  public static Taint untolerated(List<Taint> taints, List<Toleration> tolerations) {
    for (Taint t : taints) {
      // PreferNoSchedule only scores; it never filters.
      if (!"NoSchedule".equals(t.getEffect()) && !"NoExecute".equals(t.getEffect())) continue;
      if (tolerations.stream().noneMatch(tol -> tolerates(tol, t))) return t;
    }
    return null;
  }

  static boolean tolerates(Toleration tol, Taint taint) {
    if (tol.getEffect() != null && !tol.getEffect().isEmpty() && !tol.getEffect().equals(taint.getEffect())) return false;
    String key = tol.getKey() == null ? "" : tol.getKey();
    boolean exists = "Exists".equals(tol.getOperator());
    // An empty key with Exists tolerates every taint.
    if (key.isEmpty()) return exists;
    if (!key.equals(taint.getKey())) return false;
    if (exists) return true;
    String want = tol.getValue() == null ? "" : tol.getValue();
    String have = taint.getValue() == null ? "" : taint.getValue();
    return want.equals(have);
  }
}

package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;

/**
 * What placement keeps of one pod: enough to count it the way {@link SnapshotFactory} does, and to tell a held
 * decision's rank pod from one created again under its name.
 *
 * @param key "namespace/name"
 * @param node the node kube-scheduler bound it to, or null
 * @param reservedNode the {@link SnapshotFactory#RESERVED_NODE_ANNOTATION} of a pod not bound yet, or null
 * @param terminated Succeeded or Failed: it holds nothing any more
 */
record CachedPod(String key, String uid, String jobKey, String node, String reservedNode, Resources resources, boolean terminated) {

  static CachedPod of(Pod pod) {
    String node = SnapshotFactory.bound(pod) ? pod.getSpec().getNodeName() : null;
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String reserved = node != null || annotations == null ? null : annotations.get(SnapshotFactory.RESERVED_NODE_ANNOTATION);
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return new CachedPod(SnapshotFactory.podKey(pod), pod.getMetadata().getUid(), SnapshotFactory.jobKey(pod), node,
        reserved == null || reserved.isEmpty() ? null : reserved, RankResources.of(pod.getSpec()),
        "Succeeded".equals(phase) || "Failed".equals(phase));
  }

  boolean bound() {
    return node != null;
  }

  /** Counts as used on its node: bound and not terminated. */
  boolean uses() {
    return node != null && !terminated;
  }

  /** Counts as its job's reservation on {@link #reservedNode}: not bound, not terminated, annotated. */
  boolean reserves() {
    return reservedNode != null && !terminated;
  }

  /** Holds capacity placement counts: used where bound, or reserved where placed. */
  boolean holds() {
    return uses() || reserves();
  }

  Reservation reservation() {
    return new Reservation(jobKey, reservedNode, resources);
  }
}

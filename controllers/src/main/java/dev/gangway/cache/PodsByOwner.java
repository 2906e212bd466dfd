package dev.gangway.cache;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods of each owner (by the owner's uid, for owners of one kind), fed by the pod informer's store as it takes each
 * change. A pod being updated is never absent here: it is replaced in one step. Fabric8's informer index is not like
 * that — it takes the old entry out before it puts the new one in, and a reader between the two (it does not take the
 * cache's lock) misses the pod. A reconcile that missed a rank's pod voided a 2,000-rank decision (RankLost) and tore
 * the gang down (hyperscale run of 2026-12-03); a running gang would have been restarted for a vanished rank.
 *
 * <p>Written by one thread (the informer's, through {@link FeedingItemStore}), read by any.
 */
public final class PodsByOwner {
  private final String ownerKind;
  private final Map<String, Map<String, Pod>> byOwner = new ConcurrentHashMap<>();
  /** The owners each pod was filed under, to take it out of those its update no longer names. */
  private final Map<String, List<String>> ownersOf = new ConcurrentHashMap<>();

  /** @param ownerKind the kind of owner the pods are filed under (e.g. "TrainingJob") */
  public PodsByOwner(String ownerKind) {
    this.ownerKind = ownerKind;
  }

  /** The pod as the store now keeps it (added or changed). */
  public void put(Pod pod) {
    String key = key(pod);
    List<String> owners = owners(pod);
    owners.forEach(uid -> byOwner.computeIfAbsent(uid, u -> new ConcurrentHashMap<>()).put(key, pod));
    List<String> before = ownersOf.put(key, owners);
    if (before != null) {
      before.stream().filter(uid -> !owners.contains(uid)).forEach(uid -> drop(uid, key));
    }
  }

  /** The pod left the store. */
  public void remove(Pod pod) {
    String key = key(pod);
    List<String> before = ownersOf.remove(key);
    (before == null ? owners(pod) : before).forEach(uid -> drop(uid, key));
  }

  /** The owner's pods, in no particular order. */
  public List<Pod> of(String ownerUid) {
    Map<String, Pod> pods = byOwner.get(ownerUid);
    return pods == null ? List.of() : new ArrayList<>(pods.values());
  }

  /** The uids of every owner some pod names now. */
  public Set<String> ownerUids() {
    return Set.copyOf(byOwner.keySet());
  }

  private void drop(String ownerUid, String key) {
    byOwner.computeIfPresent(ownerUid, (uid, pods) -> {
      pods.remove(key);
      return pods.isEmpty() ? null : pods;
    });
  }

  private List<String> owners(Pod pod) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    if (refs == null) {
      return List.of();
    }
    return refs.stream().filter(o -> ownerKind.equals(o.getKind()) && o.getUid() != null).map(OwnerReference::getUid).toList();
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}

package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Feeds a {@link ClusterCache} as an informer's relist would: every listed object put, every one no longer listed removed. */
public final class CacheFeed {
  private final ClusterCache cache;
  private final Set<String> pods = new HashSet<>();
  private final Set<String> nodes = new HashSet<>();

  public CacheFeed() {
    this(() -> { });
  }

  /** @param freed told when the cache announces freed capacity ({@link ClusterCache#ClusterCache(Runnable)}) */
  public CacheFeed(Runnable freed) {
    this.cache = new ClusterCache(freed);
  }

  public ClusterCache cache() {
    return cache;
  }

  /** After this the cache holds exactly these nodes and pods. */
  public CacheFeed show(List<Node> nodeList, List<Pod> podList) {
    Set<String> listedNodes = new HashSet<>();
    nodeList.forEach(n -> {
      cache.put(n);
      listedNodes.add(n.getMetadata().getName());
    });
    nodes.stream().filter(n -> !listedNodes.contains(n)).forEach(cache::removeNode);
    nodes.clear();
    nodes.addAll(listedNodes);
    Set<String> listedPods = new HashSet<>();
    podList.forEach(p -> {
      cache.put(p);
      listedPods.add(SnapshotFactory.podKey(p));
    });
    pods.stream().filter(p -> !listedPods.contains(p)).forEach(cache::removePod);
    pods.clear();
    pods.addAll(listedPods);
    return this;
  }
}

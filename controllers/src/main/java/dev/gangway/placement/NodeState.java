package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node as placement sees it: labels, taints, health, and what is allocatable and already used
 * by bound, non-terminated pods. Reservations of gangs not yet bound are kept apart, in the snapshot.
 */
public record NodeState(String name, Map<String, String> labels, List<Taint> taints, boolean unschedulable,
    boolean ready, Resources allocatable, Resources used) {

  public NodeState {
    labels = Map.copyOf(labels);
    taints = List.copyOf(taints);
  }

  /** The same node with {@code now} in use. */
  public NodeState withUsed(Resources now) {
    return new NodeState(name, labels, taints, unschedulable, ready, allocatable, now);
  }

  /** Ready, not cordoned and untainted: only its capacity can keep a rank off it. */
  public boolean open() {
    return ready && !unschedulable && taints.isEmpty();
  }

  /**
   * Whether a gang may find room on {@code now} that it could not find on {@code before} (null: the node is new) for a
   * reason other than pods leaving: it became Ready, was uncordoned, lost a taint or gained GPUs.
   */
  public static boolean opened(NodeState before, NodeState now) {
    if (before == null) {
      return now.ready() && !now.unschedulable();
    }
    return (now.ready() && !before.ready()) || (before.unschedulable() && !now.unschedulable())
        || !now.taints().containsAll(before.taints()) || now.allocatable().gpus() > before.allocatable().gpus();
  }

  public Resources free() {
    return allocatable.minus(used);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Fluent construction for tests, benchmarks and the snapshot adapter. */
  public static final class Builder {
    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<Taint> taints = new ArrayList<>();
    private boolean unschedulable;
    private boolean ready = true;
    private Resources allocatable = Resources.NONE;
    private Resources used = Resources.NONE;

    private Builder(String name) {
      this.name = name;
      labels.put("kubernetes.io/hostname", name);
    }

    public Builder label(String key, String value) { labels.put(key, value); return this; }
    public Builder labels(Map<String, String> all) { labels.putAll(all); return this; }
    public Builder taint(Taint taint) { taints.add(taint); return this; }
    public Builder taint(String key, String value, String effect) {
      taints.add(new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build());
      return this;
    }
    public Builder unschedulable(boolean v) { unschedulable = v; return this; }
    public Builder ready(boolean v) { ready = v; return this; }
    public Builder allocatable(Resources r) { allocatable = r; return this; }
    public Builder allocatable(int gpus, long cpuMillis, long memoryBytes) { return allocatable(new Resources(gpus, cpuMillis, memoryBytes)); }
    public Builder gpus(int gpus) { allocatable = new Resources(gpus, allocatable.cpuMillis(), allocatable.memoryBytes()); return this; }
    public Builder used(Resources r) { used = r; return this; }
    public Builder usedGpus(int gpus) { used = new Resources(gpus, used.cpuMillis(), used.memoryBytes()); return this; }

    public NodeState build() {
      return new NodeState(name, labels, taints, unschedulable, ready, allocatable, used);
    }
  }
}

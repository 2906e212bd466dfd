package dev.gangway.placement;

import dev.gangway.api.v1alpha1.TopologySpec;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one gang asks of placement: its ranks, what each rank needs, the topology levels it must or
 * should share, and the node constraints from its pod template.
 *
 * @param requiredNodeAffinity the template's requiredDuringSchedulingIgnoredDuringExecution terms (ORed);
 *     {@code null} when the template sets none
 */
public record GangRequest(String jobKey, int replicas, Resources perRank, String requiredLevel, String preferredLevel,
    int groupSize, String groupLevel, Set<String> excludedNodes, Map<String, String> nodeSelector,
    List<NodeSelectorTerm> requiredNodeAffinity, List<Toleration> tolerations) {

  public GangRequest {
    excludedNodes = Set.copyOf(excludedNodes);
    nodeSelector = Map.copyOf(nodeSelector);
    requiredNodeAffinity = requiredNodeAffinity == null ? null : List.copyOf(requiredNodeAffinity);
    tolerations = List.copyOf(tolerations);
  }

  public int gpusPerRank() { return perRank.gpus(); }

  /**
   * The same request for no job in particular, keeping off {@code excluded}: what is asked of nodes that hold no
   * reservations, where whose gang it is makes no difference (so one answer serves every job asking it).
   */
  GangRequest ofAnyJob(Set<String> excluded) {
    return new GangRequest(null, replicas, perRank, requiredLevel, preferredLevel, groupSize, groupLevel, excluded, nodeSelector,
        requiredNodeAffinity, tolerations);
  }

  public static Builder builder(String jobKey) {
    return new Builder(jobKey);
  }

  /**
   * The request of a TrainingJob: ranks and GPUs from the spec, node constraints from its template, levels from
   * spec.topology, and the nodes the job must avoid (e.g. ones it failed on).
   *
   * @param perRank CPU and memory each rank pod asks for as the API server admits it (its namespace's LimitRange
   *     defaults filled in): kube-scheduler counts those, not the template's bare numbers
   */
  public static GangRequest from(String jobKey, TrainingJobSpec spec, Resources perRank, Set<String> excludedNodes) {
    Builder b = builder(jobKey).replicas(spec.getReplicas() == null ? 1 : spec.getReplicas());
    PodSpec pod = spec.getTemplate() == null ? null : spec.getTemplate().getSpec();
    b.perRank(new Resources(spec.gpus(), perRank.cpuMillis(), perRank.memoryBytes()));
    TopologySpec t = spec.getTopology();
    if (t != null) {
      b.required(t.getRequired()).preferred(t.getPreferred());
      if (t.getGroupSize() != null && t.getGroupSize() > 1) b.groups(t.getGroupSize(), t.getGroupLevel());
    }
    if (pod != null) {
      if (pod.getNodeSelector() != null) b.nodeSelector(pod.getNodeSelector());
      if (pod.getTolerations() != null) b.tolerations(pod.getTolerations());
      Affinity a = pod.getAffinity();
      if (a != null && a.getNodeAffinity() != null && a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
        b.requiredNodeAffinity(a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms());
      }
    }
    return b.exclude(excludedNodes).build();
  }

  public static final class Builder {
    private final String jobKey;
    private int replicas = 1;
    private Resources perRank = Resources.gpus(1);
    private String requiredLevel;
    private String preferredLevel;
    private int groupSize = 1;
    private String groupLevel;
    private final Set<String> excluded = new TreeSet<>();
    private final Map<String, String> nodeSelector = new LinkedHashMap<>();
    private List<NodeSelectorTerm> affinity;
    private final List<Toleration> tolerations = new ArrayList<>();

    private Builder(String jobKey) { this.jobKey = jobKey; }

    public Builder replicas(int n) { replicas = n; return this; }
    public Builder gpusPerRank(int gpus) { perRank = new Resources(gpus, perRank.cpuMillis(), perRank.memoryBytes()); return this; }
    public Builder perRank(Resources r) { perRank = r; return this; }
    public Builder required(String level) { requiredLevel = level; return this; }
    public Builder preferred(String level) { preferredLevel = level; return this; }
    public Builder groups(int size, String level) { groupSize = size; groupLevel = level; return this; }
    public Builder exclude(String... nodes) { excluded.addAll(List.of(nodes)); return this; }
    public Builder exclude(Set<String> nodes) { if (nodes != null) excluded.addAll(nodes); return this; }
    public Builder nodeSelector(String key, String value) { nodeSelector.put(key, value); return this; }
    public Builder nodeSelector(Map<String, String> all) { nodeSelector.putAll(all); return this; }
    public Builder requiredNodeAffinity(List<NodeSelectorTerm> terms) { affinity = terms == null ? null : new ArrayList<>(terms); return this; }
    public Builder toleration(Toleration t) { tolerations.add(t); return this; }
    public Builder tolerations(List<Toleration> all) { tolerations.addAll(all); return this; }

    public GangRequest build() {
      return new GangRequest(jobKey, replicas, perRank, requiredLevel, preferredLevel, groupSize, groupLevel, excluded,
          nodeSelector, affinity, tolerations);
    }
  }
}

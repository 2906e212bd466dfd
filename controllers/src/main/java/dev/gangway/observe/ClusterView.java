package dev.gangway.observe;

import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.LimitRange;
import dev.gangway.quota.NamespaceLimits;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a reconcile reads of the cluster, from informer caches: topologies, nodes, priority classes. Read-only; one
 * instance per reconcile. Node usage for placement is not here: the placer reads it from its
 * {@link dev.gangway.placement.ClusterCache} when it decides, which may be long after the reconcile began.
 */
public final class ClusterView {
  private final List<ClusterTopology> topologies;
  private final List<Node> nodes;
  private final List<PriorityClass> priorityClasses;
  private final List<ResourceQuota> quotas;
  private final List<LimitRange> limitRanges;
  /** The nodes by name, built on first use: a gang of thousands of ranks asks for a node per rank. */
  private Map<String, Node> byName;

  public ClusterView(List<ClusterTopology> topologies, List<Node> nodes, List<PriorityClass> priorityClasses) {
    this(topologies, nodes, priorityClasses, List.of(), List.of());
  }

  /** @param quotas the ResourceQuotas, and limitRanges the LimitRanges, of the namespaces the operator watches */
  public ClusterView(List<ClusterTopology> topologies, List<Node> nodes, List<PriorityClass> priorityClasses, List<ResourceQuota> quotas,
                     List<LimitRange> limitRanges) {
    this.topologies = topologies;
    this.nodes = nodes;
    this.priorityClasses = priorityClasses;
    this.quotas = quotas;
    this.limitRanges = limitRanges;
  }

  /**
   * The ResourceQuotas that one namespace's rank pods count against, the LimitRanges that fill in their defaults, and the
   * cluster's default PriorityClass.
   */
  public NamespaceLimits limitsIn(String namespace) {
    return new NamespaceLimits(quotas.stream().filter(q -> namespace.equals(q.getMetadata().getNamespace())).toList(),
        limitRanges.stream().filter(l -> namespace.equals(l.getMetadata().getNamespace())).toList(),
        priorityClasses.stream().filter(p -> Boolean.TRUE.equals(p.getGlobalDefault())).findFirst().map(p -> p.getMetadata().getName())
            .orElse(null));
  }

  public List<ClusterTopology> topologies() {
    return topologies;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public List<PriorityClass> priorityClasses() {
    return priorityClasses;
  }

  /** Used when the cluster has no ClusterTopology: every node is its own domain, so only capacity counts. */
  /** The kubelet's --max-pods default. */
  static final int KUBELET_DEFAULT_MAX_PODS = 110;
  static final Topology HOSTS_ONLY = Topology.of(50, new Level(0, "host", "kubernetes.io/hostname", 50));

  /**
   * Why the job cannot be placed yet for want of a ClusterTopology: it names topology levels, and no topology is chosen
   * (the one it names does not exist, there is none, or there are several and none is 'default'). Empty otherwise.
   */
  public Optional<String> missingTopology(TrainingJob job) {
    var topology = job.getSpec().getTopology();
    if (!SpecValidator.namesTopologyLevels(topology)) {
      return Optional.empty();
    }
    if (TopologySelection.choose(topology.getTopologyName(), topologies).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(TopologySelection.missingMessage(topology.getTopologyName(), topologies));
  }

  public Topology topologyFor(TrainingJob job) {
    String requested = job.getSpec().getTopology() == null ? null : job.getSpec().getTopology().getTopologyName();
    return TopologySelection.choose(requested, topologies).map(t -> Topology.from(t.getSpec())).orElse(HOSTS_ONLY);
  }

  /** Whether a Node of this name exists, as the cache shows it: a pod bound to one that does not is on a lost machine. */
  public boolean hasNode(String name) {
    return node(name).isPresent();
  }

  /** The Node of this name as the cache shows it. */
  public Optional<Node> node(String name) {
    Map<String, Node> index = byName;
    if (index == null) {
      index = new HashMap<>();
      for (Node n : nodes) {
        index.put(n.getMetadata().getName(), n);
      }
      byName = index;
    }
    return Optional.ofNullable(index.get(name));
  }

  /**
   * How many pods the nodes admit in all (each node's {@code status.allocatable.pods}, the kubelet's default of
   * {@value #KUBELET_DEFAULT_MAX_PODS} where it says nothing): a gang with more ranks could never run, whatever each asks for.
   */
  public long podSlots() {
    long slots = 0;
    for (Node node : nodes) {
      var allocatable = node.getStatus() == null ? null : node.getStatus().getAllocatable();
      var pods = allocatable == null ? null : allocatable.get("pods");
      slots += pods == null ? KUBELET_DEFAULT_MAX_PODS : Math.max(0, pods.getNumericalAmount().longValue());
    }
    return slots;
  }

  /**
   * The PriorityClass the pod template names when no such class exists: the API server's Priority admission refuses every
   * pod that names one, so the gang waits for it instead of retrying creates. Empty when none is named or it exists.
   */
  public Optional<String> missingPriorityClass(TrainingJob job) {
    String name = job.getSpec().getTemplate().getSpec().getPriorityClassName();
    if (name == null || name.isEmpty() || priorityClasses.stream().anyMatch(p -> name.equals(p.getMetadata().getName()))) {
      return Optional.empty();
    }
    return Optional.of(name);
  }

  /** The rank pods' scheduling priority, as kube-scheduler would resolve it. */
  public int priorityOf(TrainingJob job) {
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    if (pod.getPriority() != null) {
      return pod.getPriority();
    }
    Optional<PriorityClass> pc = pod.getPriorityClassName() != null
        ? priorityClasses.stream().filter(p -> pod.getPriorityClassName().equals(p.getMetadata().getName())).findFirst()
        : priorityClasses.stream().filter(p -> Boolean.TRUE.equals(p.getGlobalDefault())).findFirst();
    return pc.map(PriorityClass::getValue).orElse(0);
  }
}

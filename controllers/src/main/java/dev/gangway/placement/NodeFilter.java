package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.Taint;

/**
 * Decides whether a node can host a rank of the gang, and if not, why, worded like kube-scheduler's
 * "0/N nodes are available" reasons so operators recognise them.
 */
final class NodeFilter {

  static final String EXCLUDED = "node(s) were avoided: a rank of this job failed or did not bind there, several jobs failed "
      + "there, or the node was reported unhealthy (see status.excludedNodes, status.placement.avoidedNodes and the nodes' Events)";
  static final String NOT_READY = "node(s) were not ready";
  static final String UNSCHEDULABLE = "node(s) were unschedulable";
  static final String AFFINITY = "node(s) didn't match Pod's node affinity/selector";
  static final String NO_GPU = "Insufficient nvidia.com/gpu";
  static final String NO_CPU = "Insufficient cpu";
  static final String NO_MEMORY = "Insufficient memory";

  private NodeFilter() {
  }

  /** The first reason the node is unfit for any rank of the gang, or null if it can host at least one. */
  static String reject(NodeState node, Resources free, GangRequest req) {
    return reject(node, req.excludedNodes().contains(node.name()), free.gpus(), free.cpuMillis(), free.memoryBytes(), req);
  }

  /** @param excluded whether the node is one of {@code req}'s excluded nodes (the caller may know it faster) */
  static String reject(NodeState node, boolean excluded, int freeGpus, long freeCpu, long freeMemory, GangRequest req) {
    if (excluded) return EXCLUDED;
    if (!node.ready()) return NOT_READY;
    if (node.unschedulable()) return UNSCHEDULABLE;
    Taint t = node.taints().isEmpty() ? null : TaintToleration.untolerated(node.taints(), req.tolerations());
    if (t != null) {
      return "node(s) had untolerated taint {" + t.getKey() + ": " + (t.getValue() == null ? "" : t.getValue()) + "}";
    }
    if ((!req.nodeSelector().isEmpty() || req.requiredNodeAffinity() != null)
        && !NodeSelection.matches(node.name(), node.labels(), req.nodeSelector(), req.requiredNodeAffinity())) return AFFINITY;
    return lacking(freeGpus, freeCpu, freeMemory, req);
  }

  /** The resource the node has too little free of for a rank of the gang, or null if it can host one. */
  static String lacking(int freeGpus, long freeCpu, long freeMemory, GangRequest req) {
    // Like NodeResourcesFit, only what the rank asks for is checked: a node whose GPUs are over-reserved
    // can still take a CPU-only rank.
    Resources each = req.perRank();
    if (each.gpus() > 0 && each.gpus() > freeGpus) return NO_GPU;
    if (each.cpuMillis() > 0 && each.cpuMillis() > freeCpu) return NO_CPU;
    if (each.memoryBytes() > 0 && each.memoryBytes() > freeMemory) return NO_MEMORY;
    return null;
  }
}

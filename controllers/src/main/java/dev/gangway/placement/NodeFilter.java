package dev.gangway.placement;

import io.fabric8.kubernetes.api.model.Taint;

/**
 * Decides whether a node can host a rank of the gang, and if not, why, worded like kube-scheduler's
 * "0/N nodes are available" reasons so operators recognise them.
 */
final class NodeFilter {

  static final String EXCLUDED = "node(s) were excluded for this job after earlier failures";
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
    if (req.excludedNodes().contains(node.name())) return EXCLUDED;
    if (!node.ready()) return NOT_READY;
    if (node.unschedulable()) return UNSCHEDULABLE;
    Taint t = TaintToleration.untolerated(node.taints(), req.tolerations());
    if (t != null) {
      return "node(s) had untolerated taint {" + t.getKey() + ": " + (t.getValue() == null ? "" : t.getValue()) + "}";
    }
    if (!NodeSelection.matches(node.name(), node.labels(), req.nodeSelector(), req.requiredNodeAffinity())) return AFFINITY;
    // Like NodeResourcesFit, only what the rank asks for is checked: a node whose GPUs are over-reserved
    // can still take a CPU-only rank.
    Resources each = req.perRank();
    if (each.gpus() > 0 && each.gpus() > free.gpus()) return NO_GPU;
    if (each.cpuMillis() > 0 && each.cpuMillis() > free.cpuMillis()) return NO_CPU;
    if (each.memoryBytes() > 0 && each.memoryBytes() > free.memoryBytes()) return NO_MEMORY;
    return null;
  }
}

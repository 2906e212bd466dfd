package dev.gangway.placement;

import dev.gangway.topology.Domain;
import dev.gangway.topology.DomainTree;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a gang could ever be placed on the cluster's nodes: as if nothing ran, nothing were
 * reserved and every node were healthy. A gang that cannot is reported at once instead of queueing.
 *
 * <p>What counts as permanent: the set of nodes, their labels (topology, nodeSelector, node
 * affinity), their allocatable GPUs/CPU/memory, and taints the gang does not tolerate. What counts as
 * passing and is ignored: usage and reservations, NotReady, cordons, the taints Kubernetes and Gangway
 * put on a node for its condition ({@code node.kubernetes.io/*}, {@code gangway.dev/*}), and the nodes
 * the job avoids (they may heal, and a gang that needs them holds no capacity while it waits, see
 * {@link HeadReservation}); {@link #whyNotWithoutExcluded} tells apart a gang that waits only for them.
 */
public final class EmptyClusterFit {

  private static final List<String> CONDITION_TAINT_PREFIXES = List.of("node.kubernetes.io/", "gangway.dev/");

  private EmptyClusterFit() {
  }

  /**
   * Why the gang can never be placed on the nodes of {@code cluster}, naming the largest shape the
   * cluster could offer; empty when an empty cluster would hold it (or the request is malformed,
   * which the engine reports itself).
   */
  public static Optional<String> whyNever(ClusterSnapshot cluster, GangRequest request) {
    if (PlacementEngine.validate(cluster.topology(), request) != null) return Optional.empty();
    GangRequest req = request.ofAnyJob(Set.of());
    IdleCluster idle = cluster.idleAtBest();
    return idle.answer(new Never(req), () -> why(idle.nodes(cluster), req, ""));
  }

  /**
   * Why the gang cannot be placed on the nodes of {@code cluster} without the nodes it keeps off now
   * ({@link GangRequest#excludedNodes}), even were the rest idle and healthy; empty when it could, when
   * it keeps off no node, or when it could never be placed at all ({@link #whyNever} says so). Such a
   * gang waits for its exclusions to end, not for other jobs to finish.
   */
  public static Optional<String> whyNotWithoutExcluded(ClusterSnapshot cluster, GangRequest request) {
    if (request.excludedNodes().isEmpty() || PlacementEngine.validate(cluster.topology(), request) != null) return Optional.empty();
    GangRequest req = request.ofAnyJob(request.excludedNodes());
    IdleCluster idle = cluster.idleAtBest();
    return idle.answer(new NotWithoutExcluded(req), () -> {
      long kept = req.excludedNodes().stream().filter(n -> cluster.indexOf(n) >= 0).count();
      if (kept == 0) return Optional.empty();
      return why(idle.nodes(cluster), req, "without the " + kept + " node" + (kept == 1 ? "" : "s") + " it keeps off now, ");
    });
  }

  /** The question {@link #whyNever} answers for a request, asked of {@link ClusterSnapshot#idleAtBest}. */
  private record Never(GangRequest request) {
  }

  /** The question {@link #whyNotWithoutExcluded} answers for a request, asked of {@link ClusterSnapshot#idleAtBest}. */
  private record NotWithoutExcluded(GangRequest request) {
  }

  /**
   * @param empty the nodes idle and at their best ({@link #atBest})
   * @param without "" for the whole cluster, else what is taken away, ending in ", "
   */
  private static Optional<String> why(ClusterSnapshot empty, GangRequest req, String without) {
    GangShape shape = GangShape.of(empty.topology(), req);
    GangFit fit = GangFit.compute(empty, req, shape.groupSize(), shape.groupLevel());
    DomainTree tree = empty.tree();
    String needs = needs(req, shape, empty);
    // "Never" is said only of what no waiting changes, so not of the nodes taken away.
    String never = without.isEmpty() ? never(fit, empty) : "";
    if (empty.nodes().isEmpty()) {
      return Optional.of(needs + "; the cluster has no nodes");
    }
    if (fit.nodesAvailable == 0) {
      return Optional.of(needs + "; " + (without.isEmpty() ? "no node can ever host a rank: " + PlacementEngine.reasons(fit.rejected)
          : without + "no node can host a rank"));
    }
    long room = fit.units(tree.root().id(), shape.grouped());
    if (room < shape.units()) {
      return Optional.of(needs + "; " + without + "the whole cluster " + offers(empty, req, fit, shape, tree.root()) + never);
    }
    int required = shape.requiredLevel();
    if (required >= 0 && fit.largestAt(required, shape.grouped()) < shape.units()) {
      String level = empty.topology().level(required).name();
      Domain largest = tree.domain(largest(fit, tree, required, shape.grouped()));
      return Optional.of(needs + " within one " + level + "; " + without + "the largest " + level + " (" + largest.value() + ") "
          + offers(empty, req, fit, shape, largest) + never);
    }
    return Optional.empty();
  }

  /** The node as it could be: idle, ready, schedulable, without the taints of a passing condition. */
  static NodeState atBest(NodeState n) {
    return new NodeState(n.name(), n.labels(), lastingTaints(n.taints()), false, true, n.allocatable(), Resources.NONE);
  }

  /** The taints that are not a passing condition's. */
  static List<Taint> lastingTaints(List<Taint> taints) {
    return taints.isEmpty() ? taints : taints.stream()
        .filter(t -> t.getKey() == null || CONDITION_TAINT_PREFIXES.stream().noneMatch(t.getKey()::startsWith)).toList();
  }

  /** e.g. "needs 64 ranks x 8 GPUs" or "needs 8 groups of 4 ranks x 8 GPUs, each group within one nvlink-domain". */
  private static String needs(GangRequest req, GangShape shape, ClusterSnapshot cluster) {
    String ranks = req.replicas() + " ranks x " + amount(req.perRank());
    if (!shape.grouped()) return "needs " + ranks;
    return "needs " + shape.units() + " groups of " + shape.groupSize() + " ranks x " + amount(req.perRank())
        + ", each group within one " + cluster.topology().level(shape.groupLevel()).name();
  }

  /** e.g. "has 18 nodes x 8 GPUs = 144 GPUs this job may use (room for 18 such ranks)". */
  private static String offers(ClusterSnapshot cluster, GangRequest req, GangFit fit, GangShape shape, Domain d) {
    DomainTree tree = cluster.tree();
    int nodes = 0;
    long gpus = 0;
    int min = Integer.MAX_VALUE;
    int max = 0;
    int[] range = tree.rangeAt(d, tree.leafLevel());
    int[] leaves = tree.idsAt(tree.leafLevel());
    for (int k = range[0]; k < range[1]; k++) {
      int i = tree.domain(leaves[k]).nodeIndex();
      NodeState n = cluster.node(i);
      if (NodeFilter.reject(n, n.free(), req) != null) continue;
      nodes++;
      gpus += n.allocatable().gpus();
      min = Math.min(min, n.allocatable().gpus());
      max = Math.max(max, n.allocatable().gpus());
    }
    String shapeOf = nodes == 0 ? "no node" : min == max
        ? nodes + " node" + (nodes == 1 ? "" : "s") + " x " + max + " GPUs = " + gpus + " GPUs"
        : nodes + " nodes with " + gpus + " GPUs in all";
    return "has " + shapeOf + " this job may use (room for " + fit.units(d.id(), shape.grouped()) + " such "
        + (shape.grouped() ? "groups" : "ranks") + ")";
  }

  private static int largest(GangFit fit, DomainTree tree, int level, boolean grouped) {
    int best = -1;
    for (int id : tree.idsAt(level)) {
      // Ties go to tree order, not to what is free now, so the message does not change as jobs come and go.
      if (best < 0 || fit.units(id, grouped) > fit.units(best, grouped)) best = id;
    }
    return best;
  }

  private static String amount(Resources r) {
    List<String> parts = new ArrayList<>();
    parts.add(r.gpus() + " GPU" + (r.gpus() == 1 ? "" : "s"));
    if (r.cpuMillis() > 0) parts.add(PlacementEngine.cpu(r.cpuMillis()) + " CPU");
    if (r.memoryBytes() > 0) parts.add(PlacementEngine.memory(r.memoryBytes()) + " memory");
    return parts.size() == 1 ? parts.get(0) : "(" + String.join(", ", parts) + ")";
  }

  private static String never(GangFit fit, ClusterSnapshot cluster) {
    if (fit.rejected.isEmpty()) return "";
    int total = cluster.nodes().size();
    return "; " + (total - fit.nodesAvailable) + "/" + total + " nodes can never host a rank: " + PlacementEngine.reasons(fit.rejected);
  }
}

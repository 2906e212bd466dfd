package dev.gangway.placement;

import dev.gangway.topology.Domain;
import dev.gangway.topology.DomainTree;
import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Topology-aware gang placement: one pure, deterministic call per decision. All ranks get a node or
 * none does; see {@link BestFit} for how domains are chosen and ranks ordered.
 */
public final class PlacementEngine {

  /** Reference all-reduce message for predicted times: 1 GiB. */
  public static final long DEFAULT_MESSAGE_BYTES = 1L << 30;

  private final long messageBytes;

  public PlacementEngine() {
    this(DEFAULT_MESSAGE_BYTES);
  }

  public PlacementEngine(long messageBytes) {
    this.messageBytes = messageBytes;
  }

  public PlacementResult place(ClusterSnapshot snapshot, GangRequest req) {
    Topology topo = snapshot.topology();
    String invalid = validate(topo, req);
    if (invalid != null) return PlacementResult.doesNotFit(PlacementResult.INVALID_REQUEST, invalid, Map.of());
    GangShape shape = GangShape.of(topo, req);
    return place(snapshot, req, shape, GangFit.compute(snapshot, req, shape.groupSize(), shape.groupLevel()));
  }

  /** {@link #place(ClusterSnapshot, GangRequest)} of a valid request whose shape and fit on {@code snapshot} are known. */
  PlacementResult place(ClusterSnapshot snapshot, GangRequest req, GangShape shape, GangFit fit) {
    Topology topo = snapshot.topology();
    int required = shape.requiredLevel();
    int groupLevel = shape.groupLevel();
    int groupSize = shape.groupSize();
    boolean grouped = shape.grouped();
    long units = shape.units();

    DomainTree tree = snapshot.tree();
    int total = snapshot.nodes().size();
    if (fit.nodesAvailable == 0) {
      return PlacementResult.doesNotFit(PlacementResult.NO_NODE_AVAILABLE,
          "0/" + total + " nodes are available: " + reasons(fit.rejected) + ".", fit.rejected);
    }
    BestFit best = new BestFit(fit, req.replicas());
    long room = fit.units(tree.root().id(), grouped);
    if (room < units) {
      return PlacementResult.doesNotFit(PlacementResult.INSUFFICIENT_CAPACITY,
          needs(req, groupSize, groupLevel, topo) + "; the cluster has room for " + room + " such " + unitName(grouped)
              + unavailable(fit, total), fit.rejected);
    }
    if (required >= 0) {
      Domain start = best.tightestDeepest(tree.root(), units, grouped, required);
      if (start == null) {
        String level = topo.level(required).name();
        return PlacementResult.doesNotFit(PlacementResult.REQUIRED_LEVEL_TOO_SMALL,
            needs(req, groupSize, groupLevel, topo) + " in one " + level + "; the largest " + level + " has room for "
                + fit.largestAt(required, grouped) + " such " + unitName(grouped) + " (the cluster has room for " + room + ")"
                + unavailable(fit, total), fit.rejected);
      }
      best.descend(start, units, grouped);
    } else {
      best.place(tree.root(), units, grouped);
    }
    int[] nodeOfRank = best.nodeOfRank();
    List<String> names = new ArrayList<>(nodeOfRank.length);
    for (int n : nodeOfRank) names.add(snapshot.node(n).name());
    LowerBound bound = LowerBound.of(fit, topo, req.replicas(), units, grouped, req.gpusPerRank(), messageBytes);
    return PlacementResult.placed(names, quality(tree, req, nodeOfRank, bound), fit.rejected);
  }

  /**
   * Quality of any assignment (e.g. a baseline scheduler's) for this gang, with the same lower bound
   * the engine would report; {@code nodes} are node names indexed by rank.
   */
  public PlacementQuality measure(ClusterSnapshot snapshot, GangRequest req, List<String> nodes) {
    Topology topo = snapshot.topology();
    int groupLevel = levelIndex(topo, req.groupLevel());
    int groupSize = req.groupSize() > 1 && groupLevel >= 0 ? req.groupSize() : 1;
    if (groupSize == 1) groupLevel = -1;
    GangFit fit = GangFit.compute(snapshot, req, groupSize, groupLevel);
    int[] nodeOfRank = new int[nodes.size()];
    for (int r = 0; r < nodeOfRank.length; r++) {
      nodeOfRank[r] = snapshot.indexOf(nodes.get(r));
      if (nodeOfRank[r] < 0) throw new IllegalArgumentException("rank " + r + ": node " + nodes.get(r) + " is not in the snapshot");
    }
    boolean grouped = groupLevel >= 0;
    long units = grouped ? req.replicas() / groupSize : req.replicas();
    if (grouped && fit.units(snapshot.tree().root().id(), true) < units) {
      // The assignment split groups (a topology-blind scheduler's may): no grouped placement exists on this capacity,
      // and counting the domains that hold any group would pass for a bound. Without groups it is a sound one.
      grouped = false;
      units = req.replicas();
    }
    LowerBound bound = LowerBound.of(fit, topo, req.replicas(), units, grouped, req.gpusPerRank(), messageBytes);
    return quality(snapshot.tree(), req, nodeOfRank, bound);
  }

  private PlacementQuality quality(DomainTree tree, GangRequest req, int[] nodeOfRank, LowerBound bound) {
    Topology topo = tree.topology();
    RingCost ring = RingCost.measure(tree, nodeOfRank, req.gpusPerRank(), messageBytes);
    int preferred = levelIndex(topo, req.preferredLevel());
    boolean preferredMet = preferred < 0 || ring.domainsSpanned()[preferred] == 1;
    return new PlacementQuality(byLevel(topo, ring.domainsSpanned()), byLevel(topo, ring.crossings()),
        linkName(topo, ring.slowestSharedLevel()), ring.seconds(), ring.cost(), byLevel(topo, bound.domains()),
        byLevel(topo, bound.crossings()), bound.seconds(), bound.cost(), preferredMet, messageBytes);
  }

  /** Why the request cannot be placed on this topology at all, or null when it is well formed. */
  static String validate(Topology topo, GangRequest req) {
    if (req.replicas() < 1) return "replicas must be at least 1, got " + req.replicas();
    Resources r = req.perRank();
    if (r.gpus() < 0 || r.cpuMillis() < 0 || r.memoryBytes() < 0) return "a rank cannot request a negative amount: " + r;
    String levels = topo.levels().stream().map(Level::name).collect(Collectors.joining(", "));
    for (String[] field : new String[][] {{"spec.topology.required", req.requiredLevel()},
        {"spec.topology.preferred", req.preferredLevel()}, {"spec.topology.groupLevel", req.groupLevel()}}) {
      if (field[1] != null && topo.level(field[1]).isEmpty()) {
        return field[0] + ": level \"" + field[1] + "\" is not in the ClusterTopology; its levels are " + levels;
      }
    }
    if (req.groupSize() < 1) return "spec.topology.groupSize must be at least 1, got " + req.groupSize();
    if (req.groupSize() > 1) {
      if (req.groupLevel() == null) return "spec.topology.groupLevel is required when groupSize is greater than 1";
      if (req.replicas() % req.groupSize() != 0) {
        return "spec.topology.groupSize " + req.groupSize() + " must divide replicas " + req.replicas();
      }
    }
    return null;
  }

  private static int levelIndex(Topology topo, String name) {
    return GangShape.levelIndex(topo, name);
  }

  private static Map<String, Integer> byLevel(Topology topo, int[] values) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (Level l : topo.levels()) m.put(l.name(), values[l.index()]);
    return java.util.Collections.unmodifiableMap(m);
  }

  static String linkName(Topology topo, int sharedLevel) {
    return sharedLevel == Topology.NO_SHARED_LEVEL ? "cross-block" : topo.level(sharedLevel).name();
  }

  private static String needs(GangRequest req, int groupSize, int groupLevel, Topology topo) {
    String ranks = req.replicas() + " ranks with " + perRank(req.perRank()) + " each";
    if (groupLevel < 0) return "needs " + ranks;
    return "needs " + ranks + " in " + (req.replicas() / groupSize) + " groups of " + groupSize
        + " consecutive ranks, each group in one " + topo.level(groupLevel).name();
  }

  private static String unitName(boolean grouped) {
    return grouped ? "groups" : "ranks";
  }

  static String perRank(Resources r) {
    List<String> parts = new ArrayList<>();
    parts.add(r.gpus() + " free GPU" + (r.gpus() == 1 ? "" : "s"));
    if (r.cpuMillis() > 0) parts.add(cpu(r.cpuMillis()) + " CPU");
    if (r.memoryBytes() > 0) parts.add(memory(r.memoryBytes()) + " memory");
    if (parts.size() == 1) return parts.get(0);
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
  }

  static String cpu(long millis) {
    return millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m";
  }

  static String memory(long bytes) {
    long gi = 1L << 30;
    long mi = 1L << 20;
    if (bytes % gi == 0) return bytes / gi + "Gi";
    if (bytes % mi == 0) return bytes / mi + "Mi";
    return bytes + "B";
  }

  static String reasons(Map<String, Integer> rejected) {
    return rejected.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
  }

  private static String unavailable(GangFit fit, int total) {
    if (fit.rejected.isEmpty()) return "";
    int out = total - fit.nodesAvailable;
    return "; " + out + "/" + total + " nodes cannot host a rank: " + reasons(fit.rejected);
  }
}

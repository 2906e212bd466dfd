package dev.gangway.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster as a tree of domains (cluster, then each topology level, then nodes), built once per
 * snapshot so that every placement decision is a walk over arrays, not over labels.
 */
public final class DomainTree {

  /**
   * Value prefix of the domain a node without the level's label sits in alone. Label values never
   * start with '?', so it cannot collide with a real domain.
   */
  public static final String UNKNOWN_PREFIX = "?";

  private final Topology topology;
  private final Domain[] domains;
  private final int[][] byLevel;
  private final int[] leafOfNode;
  // The same facts as the Domain objects, as arrays: decisions sweep every domain and must not chase pointers.
  private final int[] parentOf;
  private final int[] levelOf;
  private final int[] freeGpusOf;
  /** firstAt[level][id]: index into byLevel[level] of the first domain with an id at or after id (id up to size). */
  private final int[][] firstAt;

  private DomainTree(Topology topology, Domain[] domains, int[][] byLevel, int[] leafOfNode, int[] freeGpusByNode) {
    this.topology = topology;
    this.domains = domains;
    this.byLevel = byLevel;
    this.leafOfNode = leafOfNode;
    this.parentOf = new int[domains.length];
    this.levelOf = new int[domains.length];
    for (Domain d : domains) {
      parentOf[d.id()] = d.parent() == null ? -1 : d.parent().id();
      levelOf[d.id()] = d.level();
    }
    // Placement asks for "the domains of a level inside D" at every step: answered from a table, not a search.
    this.firstAt = new int[byLevel.length][domains.length + 1];
    for (int level = 0; level < byLevel.length; level++) {
      int[] ids = byLevel[level];
      int k = 0;
      for (int id = 0; id <= domains.length; id++) {
        while (k < ids.length && ids[k] < id) k++;
        firstAt[level][id] = k;
      }
    }
    this.freeGpusOf = sumFreeGpus(freeGpusByNode);
  }

  /** A tree of the same shape (it shares the immutable domains and index arrays) with other free GPUs. */
  private DomainTree(DomainTree shape, int[] freeGpusByNode) {
    this.topology = shape.topology;
    this.domains = shape.domains;
    this.byLevel = shape.byLevel;
    this.leafOfNode = shape.leafOfNode;
    this.parentOf = shape.parentOf;
    this.levelOf = shape.levelOf;
    this.firstAt = shape.firstAt;
    this.freeGpusOf = sumFreeGpus(freeGpusByNode);
  }

  /**
   * The same domains with {@code freeGpusByNode} free (indexed like the nodes this tree was built from): what a new
   * snapshot of the same nodes and labels needs, in one sweep over the domains instead of sorting labels again.
   */
  public DomainTree withFreeGpus(int[] freeGpusByNode) {
    return new DomainTree(this, freeGpusByNode);
  }

  private int[] sumFreeGpus(int[] freeGpusByNode) {
    if (freeGpusByNode.length != leafOfNode.length) {
      throw new IllegalArgumentException("free GPUs for " + freeGpusByNode.length + " nodes, the tree has " + leafOfNode.length);
    }
    int[] free = new int[domains.length];
    for (int n = 0; n < leafOfNode.length; n++) free[leafOfNode[n]] = Math.max(0, freeGpusByNode[n]);
    // Preorder ids: every child has a larger id than its parent, so one reverse sweep sums subtrees.
    for (int id = domains.length - 1; id > 0; id--) free[parentOf[id]] += free[id];
    return free;
  }

  /** Parent id of a domain; -1 for the cluster. */
  public int parentId(int id) { return parentOf[id]; }

  public int levelOf(int id) { return levelOf[id]; }

  public int freeGpusOf(int id) { return freeGpusOf[id]; }

  /** Id of the leaf domain of the node at this index. */
  public int leafIdOf(int nodeIndex) { return leafOfNode[nodeIndex]; }

  /** Mutable shape used only while building. */
  private static final class Draft {
    final String value;
    final int nodeIndex;
    final TreeMap<String, Draft> children = new TreeMap<>();
    Draft(String value, int nodeIndex) { this.value = value; this.nodeIndex = nodeIndex; }
  }

  public static DomainTree build(Topology topology, List<TopologyNode> nodes) {
    Draft root = new Draft("", -1);
    for (int n = 0; n < nodes.size(); n++) {
      TopologyNode node = nodes.get(n);
      Draft at = root;
      for (Level level : topology.levels()) {
        String v = node.labels().get(level.nodeLabel());
        // A node missing the label is never co-located with another node at this level or below.
        String key = v == null || v.isEmpty() ? UNKNOWN_PREFIX + node.name() : v;
        at = at.children.computeIfAbsent(key, k -> new Draft(k, -1));
      }
      if (at.children.containsKey(node.name())) {
        throw new IllegalArgumentException("node " + node.name() + " is listed twice");
      }
      at.children.put(node.name(), new Draft(node.name(), n));
    }
    int leafLevel = topology.depth();
    List<Domain> out = new ArrayList<>();
    int[] leafOfNode = new int[nodes.size()];
    freeze(root, -1, null, nodes, out, leafOfNode);
    Domain[] domains = out.toArray(new Domain[0]);
    int[] counts = new int[leafLevel + 1];
    for (Domain d : domains) {
      if (d.level() >= 0) counts[d.level()]++;
    }
    int[][] byLevel = new int[leafLevel + 1][];
    for (int l = 0; l <= leafLevel; l++) byLevel[l] = new int[counts[l]];
    int[] fill = new int[leafLevel + 1];
    for (Domain d : domains) {
      if (d.level() >= 0) byLevel[d.level()][fill[d.level()]++] = d.id();
    }
    int[] freeGpusByNode = new int[nodes.size()];
    for (int n = 0; n < nodes.size(); n++) freeGpusByNode[n] = nodes.get(n).freeGpus();
    return new DomainTree(topology, domains, byLevel, leafOfNode, freeGpusByNode);
  }

  // Preorder numbering: a domain's subtree is a contiguous id range, so "domains of level L inside D"
  // is a binary search, not a walk.
  private static Domain freeze(Draft draft, int level, Domain parent, List<TopologyNode> nodes, List<Domain> out,
      int[] leafOfNode) {
    Domain self = new Domain(out.size(), level, draft.value, parent, draft.nodeIndex);
    out.add(self);
    if (draft.nodeIndex >= 0) {
      self.nodeCount = 1;
      leafOfNode[draft.nodeIndex] = self.id();
    } else {
      List<Domain> children = new ArrayList<>(draft.children.size());
      for (Draft kid : draft.children.values()) {
        Domain c = freeze(kid, level + 1, self, nodes, out, leafOfNode);
        children.add(c);
        self.nodeCount += c.nodeCount;
      }
      self.children = List.copyOf(children);
    }
    self.subtreeEnd = out.size();
    return self;
  }

  public Topology topology() { return topology; }

  public Domain root() { return domains[0]; }

  public Domain domain(int id) { return domains[id]; }

  public int size() { return domains.length; }

  /** The level index of nodes: one below the deepest topology level. */
  public int leafLevel() { return topology.depth(); }

  /** Ids of the domains at a level (0..leafLevel), in tree order. Do not modify. */
  public int[] idsAt(int level) { return byLevel[level]; }

  public List<Domain> domainsAt(int level) {
    List<Domain> list = new ArrayList<>(byLevel[level].length);
    for (int id : byLevel[level]) list.add(domains[id]);
    return list;
  }

  /** The leaf domain of the node at this index in the list the tree was built from. */
  public Domain leafOf(int nodeIndex) { return domains[leafOfNode[nodeIndex]]; }

  /** The ancestor of {@code d} at {@code level} ({@code d} itself at its own level). */
  public Domain ancestorAt(Domain d, int level) {
    Domain at = d;
    while (at.level() > level) at = at.parent();
    return at;
  }

  /** Index range [from, to) into {@link #idsAt(int)} of the domains at {@code level} inside {@code d}. */
  public int[] rangeAt(Domain d, int level) {
    return new int[] {firstAt[level][d.id()], firstAt[level][d.subtreeEnd()]};
  }

  /** Human name of a domain, e.g. "rack r07" or "rack (none: node-3)". */
  public String describe(Domain d) {
    if (d.level() < 0) return "the cluster";
    String what = d.level() == leafLevel() ? "node" : topology.level(d.level()).name();
    if (d.unknown()) return what + " (no " + topology.level(d.level()).nodeLabel() + " label on "
        + d.value().substring(UNKNOWN_PREFIX.length()) + ")";
    return what + " " + d.value();
  }

  /** Free GPUs per domain, keyed by id; a convenience view for status and debugging. */
  public Map<Integer, Integer> freeGpusById() {
    TreeMap<Integer, Integer> m = new TreeMap<>();
    for (Domain d : domains) m.put(d.id(), freeGpusOf[d.id()]);
    return m;
  }
}

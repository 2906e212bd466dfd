package dev.gangway.topology;

import java.util.List;

/**
 * A node of the domain tree: the cluster (level -1), a domain at one topology level, or a single
 * Kubernetes node (the leaf level, one below the deepest topology level). Ids are preorder
 * positions, so a domain's subtree is the id range [id, subtreeEnd). Only the shape: what is free in
 * a domain is the tree's ({@link DomainTree#freeGpusOf}), so snapshots of the same nodes share domains.
 */
public final class Domain {

  private final int id;
  private final int level;
  private final String value;
  private final Domain parent;
  private final int nodeIndex;
  // Set once by DomainTree while building (children are created after their parent); never changed after.
  List<Domain> children = List.of();
  int subtreeEnd;
  int nodeCount;

  Domain(int id, int level, String value, Domain parent, int nodeIndex) {
    this.id = id;
    this.level = level;
    this.value = value;
    this.parent = parent;
    this.nodeIndex = nodeIndex;
  }

  public int id() { return id; }

  /** -1 for the cluster, the topology level index, or the tree's leaf level for a node. */
  public int level() { return level; }

  /** The level label's value; for a node without the label, {@link DomainTree#UNKNOWN_PREFIX} + node name. */
  public String value() { return value; }

  public boolean unknown() { return value.startsWith(DomainTree.UNKNOWN_PREFIX); }

  public Domain parent() { return parent; }

  /** Children in tree order (sorted by value). */
  public List<Domain> children() { return children; }

  public boolean isNode() { return nodeIndex >= 0; }

  /** Index of the node in the list the tree was built from; -1 unless {@link #isNode()}. */
  public int nodeIndex() { return nodeIndex; }

  public int subtreeEnd() { return subtreeEnd; }

  public boolean contains(Domain other) { return other.id >= id && other.id < subtreeEnd; }

  public int nodeCount() { return nodeCount; }

  @Override
  public String toString() {
    return level < 0 ? "cluster" : value;
  }
}

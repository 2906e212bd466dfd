package dev.gangway.placement;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A snapshot's nodes as if nothing ran on them, and the answers gangs got there: answers that depend on the nodes
 * themselves and on the gang, never on usage or reservations. Snapshots of the same nodes share one for as long as
 * the node facts it reads stay the same ({@link ClusterSnapshot#reusingShape} checks them), so a queue that asks every
 * new snapshot whether a gang could ever fit, or what it could hold, computes each answer once per kind of gang until
 * a node itself changes, instead of once per decision over every node.
 *
 * <p>Two of them per snapshot, as two questions read different facts: {@link EmptyClusterFit} asks of the nodes at
 * their best (allocatable and lasting taints: a node going NotReady or tainted for a condition changes nothing there),
 * {@link HeadReservation} of the nodes idle but as healthy as they are now (allocatable, every taint, readiness,
 * cordons). Answers are kept for the {@value #MAX_ANSWERS} kinds of gang asked last; safe to share between threads.
 */
final class IdleCluster {

  static final int MAX_ANSWERS = 256;

  private final UnaryOperator<NodeState> idle;
  private volatile ClusterSnapshot nodes;
  private final Map<Object, Object> answers = new LinkedHashMap<>(32, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, Object> eldest) {
      return size() > MAX_ANSWERS;
    }
  };

  /** @param idle what each node becomes when idle; it must read only the facts the owning snapshot checks */
  IdleCluster(UnaryOperator<NodeState> idle) {
    this.idle = idle;
  }

  /** The idle nodes, built from {@code of} (a snapshot sharing this) the first time they are asked for. */
  ClusterSnapshot nodes(ClusterSnapshot of) {
    ClusterSnapshot n = nodes;
    if (n == null) {
      n = of.withCapacityOf(idle);
      nodes = n;
    }
    return n;
  }

  /**
   * The answer to {@code question}, computed the first time it is asked. A question is a record naming what is
   * asked and of which request (without its job: idle nodes hold no reservations), and the same question always
   * has an answer of the same type. The answer is computed outside the lock: two threads may both compute it,
   * and get equal answers.
   */
  @SuppressWarnings("unchecked")
  <T> T answer(Object question, Supplier<T> compute) {
    synchronized (answers) {
      Object known = answers.get(question);
      if (known != null) return (T) known;
    }
    T computed = compute.get();
    synchronized (answers) {
      answers.put(question, computed);
    }
    return computed;
  }
}

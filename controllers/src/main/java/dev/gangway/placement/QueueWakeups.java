package dev.gangway.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which waiting gangs to decide again now that capacity was freed (a pod that held GPUs ended or went, a node opened
 * up), instead of at their next retry: the first {@code limit} in queue order ({@link QueuedGang#ORDER}) that ask for
 * no more GPUs than are free in the whole cluster. A gang asking for more cannot be placed whatever else it waits
 * for, so waking it would only repeat its last answer. The bound keeps a freed pod's cost the same however long the
 * queue is; the gangs it leaves out still retry on their timer.
 *
 * <p>Pure: what the gangs are decided against is their own reconcile's business. A wake is only ever caused by freed
 * capacity, and a decision that cannot place a gang frees none, so a woken gang that stays waiting wakes nobody.
 */
public final class QueueWakeups {

  private QueueWakeups() {
  }

  /**
   * @param waiting the gangs waiting to be placed, in any order
   * @param freeGpus GPUs free in the cluster now (an upper bound, {@link ClusterCache#freeGpus})
   * @param limit at most this many gangs are woken
   * @return the keys ("namespace/name") of the gangs to wake, in queue order
   */
  public static List<String> toWake(Collection<QueuedGang> waiting, long freeGpus, int limit) {
    List<QueuedGang> queue = new ArrayList<>(waiting);
    queue.sort(QueuedGang.ORDER);
    List<String> wake = new ArrayList<>();
    for (QueuedGang gang : queue) {
      if (wake.size() == limit) {
        break;
      }
      if (gpusOf(gang.request()) <= freeGpus) {
        wake.add(gang.jobKey());
      }
    }
    return wake;
  }

  private static long gpusOf(GangRequest request) {
    return (long) request.replicas() * request.perRank().gpus();
  }
}

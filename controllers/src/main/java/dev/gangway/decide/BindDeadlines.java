package dev.gangway.decide;

import dev.gangway.pod.Timestamps;
import dev.gangway.pod.SchedulerMessage;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * When each rank of a placed attempt must be bound by, and which ranks are overdue. Pure.
 *
 * <p>A released rank has the bind timeout from its release (the {@link #RELEASED_AT_ANNOTATION}; the
 * placement time for a pod released without it) once kube-scheduler has tried it and said why it cannot bind it;
 * until it has tried, {@link #UNTRIED_FACTOR} times that. A rank still gated because a pod of an earlier
 * attempt has not left its node has the bind timeout from the later of the placement and that pod's
 * deletion timestamp, which already includes its grace period: a pod still there after that is stuck,
 * typically on a lost node, and waiting longer gains nothing. A rank released by this very plan has
 * the whole timeout ahead.
 */
public final class BindDeadlines {
  /** When Gangway lifted the rank's gate; written together with the node affinity. */
  public static final String RELEASED_AT_ANNOTATION = "gangway.dev/released-at";
  static final String BIND_TIMEOUT = "BindTimeout";
  static final String STUCK_TERMINATING = "StuckTerminating";
  /**
   * A rank kube-scheduler has not tried yet (no {@code PodScheduled=False}) has this many bind timeouts: the timeout
   * is for constraints placement cannot see, which kube-scheduler reports when it tries; a scheduler merely behind (a
   * 2,000-rank gang on a busy control plane) must not void the whole decision. The cap catches one that never comes.
   */
  static final int UNTRIED_FACTOR = 5;

  /** A rank past its deadline, the node it was reserved on and why it did not bind there. */
  record Overdue(int rank, String pod, String node, String reason, String message) {
  }

  /** @param recheckAt the earliest deadline still ahead, or null when every rank is bound */
  record Verdict(List<Overdue> overdue, Instant recheckAt) {
  }

  private final Duration bindTimeout;

  public BindDeadlines(Duration bindTimeout) {
    this.bindTimeout = bindTimeout;
  }

  Duration bindTimeout() {
    return bindTimeout;
  }

  /**
   * @param nodeOf the node each pod of the attempt is reserved on
   * @param leavingByNode a pod of an earlier attempt still on each node that has one
   * @param placedTime when the attempt was placed, or null when the status does not say
   */
  Verdict judge(Map<Pod, String> nodeOf, Map<String, Pod> leavingByNode, Instant placedTime, Instant now) {
    List<Overdue> overdue = new ArrayList<>();
    Instant recheckAt = null;
    Instant placed = placedTime == null ? now : placedTime;
    for (Map.Entry<Pod, String> e : nodeOf.entrySet()) {
      Pod pod = e.getKey();
      String node = e.getValue();
      if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
        continue;
      }
      int rank = GangPlacementStep.rankOf(pod);
      String name = pod.getMetadata().getName();
      Pod leaving = leavingByNode.get(node);
      Instant deadline;
      Overdue late;
      if (!GangPlacementStep.gated(pod)) {
        Instant released = Timestamps.parseOr(pod.getMetadata().getAnnotations() == null ? null
            : pod.getMetadata().getAnnotations().get(RELEASED_AT_ANNOTATION), placed);
        boolean refused = SchedulerMessage.refused(pod);
        deadline = released.plus(refused ? bindTimeout : bindTimeout.multipliedBy(UNTRIED_FACTOR));
        late = new Overdue(rank, name, node, BIND_TIMEOUT, "rank " + rank + " (pod " + name + ") on " + node + ": "
            + (refused ? SchedulerMessage.whyUnbound(pod) : "kube-scheduler has not tried to bind it in "
                + bindTimeout.multipliedBy(UNTRIED_FACTOR).toSeconds() + " s (is it running, or far behind?)"));
      } else if (leaving != null) {
        Instant due = Timestamps.parseOr(leaving.getMetadata().getDeletionTimestamp(), null);
        deadline = dueBehind(leaving, placed);
        late = new Overdue(rank, name, node, STUCK_TERMINATING, "rank " + rank + " (pod " + name + ") still waits for pod "
            + leaving.getMetadata().getName() + " of an earlier attempt to leave " + node
            + (due == null ? "" : " (due to be gone at " + due + ")") + "; the node may be lost");
      } else {
        deadline = now.plus(bindTimeout);
        late = null;
      }
      if (late != null && !deadline.isAfter(now)) {
        overdue.add(late);
      } else if (recheckAt == null || deadline.isBefore(recheckAt)) {
        recheckAt = deadline;
      }
    }
    overdue.sort(Comparator.comparingInt(Overdue::rank));
    return new Verdict(List.copyOf(overdue), recheckAt);
  }

  /** When a rank waiting for {@code leaving} to go is overdue: that pod's deletion due (or {@code placed}) plus the timeout. */
  Instant dueBehind(Pod leaving, Instant placed) {
    Instant due = Timestamps.parseOr(leaving.getMetadata().getDeletionTimestamp(), null);
    return (due != null && due.isAfter(placed) ? due : placed).plus(bindTimeout);
  }

  /**
   * Ranks decided but not created yet because a pod of an earlier attempt still holds their node: due when that pod
   * was due to be gone (its deletion timestamp, grace period included; the placement when it has none) plus the bind
   * timeout. A pod still there then is stuck, typically on a lost node.
   *
   * @param jobName the job's name, which with the attempt names each rank's pod
   */
  Verdict judgeWaiting(List<PinnedRank> waiting, String jobName, int attempt, Map<String, Pod> leavingByNode, Instant placedTime,
                       Instant now) {
    List<Overdue> overdue = new ArrayList<>();
    Instant recheckAt = null;
    Instant placed = placedTime == null ? now : placedTime;
    for (PinnedRank rank : waiting) {
      Pod leaving = leavingByNode.get(rank.node());
      if (leaving == null) {
        continue;
      }
      Instant due = Timestamps.parseOr(leaving.getMetadata().getDeletionTimestamp(), null);
      Instant deadline = dueBehind(leaving, placed);
      if (!deadline.isAfter(now)) {
        String name = dev.gangway.pod.JobNames.podName(jobName, rank.rank(), attempt);
        overdue.add(new Overdue(rank.rank(), name, rank.node(), STUCK_TERMINATING, "rank " + rank.rank() + " (pod " + name
            + ", not created yet) still waits for pod " + leaving.getMetadata().getName() + " of an earlier attempt to leave "
            + rank.node() + (due == null ? "" : " (due to be gone at " + due + ")") + "; the node may be lost"));
      } else if (recheckAt == null || deadline.isBefore(recheckAt)) {
        recheckAt = deadline;
      }
    }
    overdue.sort(Comparator.comparingInt(Overdue::rank));
    return new Verdict(List.copyOf(overdue), recheckAt);
  }
}

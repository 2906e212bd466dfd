package dev.gangway.observe;

import dev.gangway.pod.JobNames;
import dev.gangway.pod.RankPhase;
import dev.gangway.pod.RankState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.TreeMap;

/**
 * The ranks of one attempt as their pods show them, one entry per rank in rank order. Pure.
 *
 * <p>Only ranks with a pod are stored: {@link #ranks} shows the others as {@link RankPhase#Missing} on demand, so what
 * an observation costs grows with the pods that exist, not with what the spec asks for (a job of two billion ranks
 * that can never be placed is two billion missing ranks, and no memory).
 *
 * @param ranks every rank, {@code replicas} of them; a view, computed per read for ranks without a pod
 * @param present the ranks that have a pod of this attempt, in rank order
 */
public record GangObservation(int attempt, List<RankState> ranks, List<RankState> present, List<Pod> attemptPods, List<Pod> otherPods) {

  /**
   * @param pods every pod of the job (any attempt); pods of other attempts, or being deleted,
   *     land in {@code otherPods}
   */
  public static GangObservation of(Collection<Pod> pods, int attempt, int replicas) {
    TreeMap<Integer, RankState> byRank = new TreeMap<>();
    List<Pod> others = new ArrayList<>();
    List<Pod> ofAttempt = new ArrayList<>();
    for (Pod pod : pods) {
      Integer rank = label(pod, JobNames.LABEL_RANK);
      Integer podAttempt = label(pod, JobNames.LABEL_ATTEMPT);
      boolean current = rank != null && podAttempt != null && podAttempt == attempt && rank >= 0 && rank < replicas;
      if (current && pod.getMetadata().getDeletionTimestamp() == null) {
        byRank.put(rank, observe(rank, pod));
        ofAttempt.add(pod);
      } else {
        others.add(pod);
      }
    }
    List<RankState> present = List.copyOf(byRank.values());
    return new GangObservation(attempt, new AllRanks(Math.max(0, replicas), byRank), present, List.copyOf(ofAttempt), List.copyOf(others));
  }

  public long count(RankPhase phase) {
    if (phase == RankPhase.Missing) {
      return ranks.size() - present.size();
    }
    return present.stream().filter(r -> r.phase() == phase).count();
  }

  public int readyRanks() {
    return (int) present.stream().filter(r -> r.running() && r.ready()).count();
  }

  public boolean allRunning() {
    return present.size() == ranks.size() && present.stream().allMatch(RankState::running);
  }

  /** Whether every rank has its pod. */
  public boolean complete() {
    return present.size() == ranks.size();
  }

  /** The ranks without a pod, in rank order. Materialised: ask {@link #complete} first where only that matters. */
  public List<RankState> missing() {
    List<RankState> missing = new ArrayList<>();
    int next = 0;
    for (RankState r : present) {
      for (int rank = next; rank < r.rank(); rank++) {
        missing.add(RankState.missing(rank));
      }
      next = r.rank() + 1;
    }
    for (int rank = next; rank < ranks.size(); rank++) {
      missing.add(RankState.missing(rank));
    }
    return missing;
  }

  /** Every rank in order: the observed ones as stored, the rest made Missing when read. */
  private static final class AllRanks extends AbstractList<RankState> implements RandomAccess {
    private final int size;
    private final Map<Integer, RankState> observed;

    AllRanks(int size, Map<Integer, RankState> observed) {
      this.size = size;
      this.observed = Map.copyOf(observed);
    }

    @Override
    public RankState get(int rank) {
      Objects.checkIndex(rank, size);
      RankState seen = observed.get(rank);
      return seen != null ? seen : RankState.missing(rank);
    }

    @Override
    public int size() {
      return size;
    }
  }

  private static RankState observe(int rank, Pod pod) {
    String name = pod.getMetadata().getName();
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      Optional<ContainerStateTerminated> end = mainTermination(pod);
      return new RankState(rank, name, "Succeeded".equals(phase) ? RankPhase.Succeeded : RankPhase.Failed, false, node,
          end.map(ContainerStateTerminated::getExitCode).orElse(null),
          end.map(ContainerStateTerminated::getReason).orElse(pod.getStatus().getReason()),
          end.map(ContainerStateTerminated::getMessage).orElse(pod.getStatus().getMessage()));
    }
    if ("Running".equals(phase)) {
      return new RankState(rank, name, RankPhase.Running, condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false),
          node, null, null, null);
    }
    String why = condition(pod, "PodScheduled").filter(c -> "False".equals(c.getStatus()))
        .map(c -> c.getReason() + ": " + c.getMessage()).orElse(node == null ? "not scheduled yet" : "starting on " + node);
    return new RankState(rank, name, RankPhase.Pending, false, node, null, null, why);
  }

  /** The main (first) container's termination, falling back to any terminated container. */
  private static Optional<ContainerStateTerminated> mainTermination(Pod pod) {
    List<ContainerStatus> statuses = pod.getStatus().getContainerStatuses();
    if (statuses == null || statuses.isEmpty()) {
      return Optional.empty();
    }
    String main = pod.getSpec().getContainers().get(0).getName();
    return statuses.stream()
        .sorted((a, b) -> Boolean.compare(!main.equals(a.getName()), !main.equals(b.getName())))
        .filter(s -> s.getState() != null && s.getState().getTerminated() != null)
        .map(s -> s.getState().getTerminated())
        .findFirst();
  }

  private static Optional<PodCondition> condition(Pod pod, String type) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static Integer label(Pod pod, String key) {
    String value = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(key);
    try {
      return value == null ? null : Integer.valueOf(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}

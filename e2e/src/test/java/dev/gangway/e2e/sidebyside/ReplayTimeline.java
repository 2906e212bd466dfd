package dev.gangway.e2e.sidebyside;

import dev.gangway.placement.RankResources;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one contender's pods did, from a watch of its namespace: for each stream job the first moment every rank was
 * Running at once (with the node of each rank and every other live pod at that moment, for the placement measure),
 * when its last rank succeeded, and the GPU-seconds all Running pods held. Fed one watch event at a time, with the
 * time it arrived; pure (no I/O), so the replay's bookkeeping is unit-tested.
 */
public final class ReplayTimeline {
  static final String GANGWAY_RANK = "gangway.dev/rank";
  static final String JOB_INDEX = "batch.kubernetes.io/job-completion-index";

  /** A job's gang as it first stood whole: node per rank and the pods of every other job then. */
  public record Whole(long atNanos, List<String> nodeByRank, List<Pod> others) {
  }

  private final Map<String, ReplayJob> jobs = new HashMap<>();
  private final Map<String, Long> appliedAt = new HashMap<>();
  private final Map<String, Whole> whole = new LinkedHashMap<>();
  private final Map<String, Long> completedAt = new HashMap<>();
  private final Map<String, Set<Integer>> succeeded = new HashMap<>();
  private final Map<String, Set<Integer>> everRunning = new HashMap<>();
  /** Live pods by namespace/name. */
  private final Map<String, Pod> live = new LinkedHashMap<>();
  /** When each live pod was first seen Running. */
  private final Map<String, Long> runningSince = new HashMap<>();
  private double gpuSeconds;
  /** Per job, ranks whose pod was seen, and bound to a node; and when the first, all, and all bound were first seen. */
  private final Map<String, Set<Integer>> created = new HashMap<>();
  private final Map<String, Set<Integer>> bound = new HashMap<>();
  private final Map<String, Long> firstPodAt = new HashMap<>();
  private final Map<String, Long> allCreatedAt = new HashMap<>();
  private final Map<String, Long> allBoundAt = new HashMap<>();
  /** Gangway only: when the job's first status (its first reconcile's write), and Placed=True, were first seen. */
  private final Map<String, Long> statusAt = new HashMap<>();
  private final Map<String, Long> placedAt = new HashMap<>();

  public ReplayTimeline(List<ReplayJob> stream) {
    stream.forEach(j -> jobs.put(j.name(), j));
  }

  public void applied(String job, long nanos) {
    appliedAt.put(job, nanos);
  }

  /** One watch event: ADDED, MODIFIED or DELETED, and the pod as the event carried it. */
  public void event(String type, Pod pod, long nanos) {
    String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    boolean gone = "DELETED".equals(type);
    boolean running = !gone && "Running".equals(phase) && pod.getMetadata().getDeletionTimestamp() == null;
    Long since = runningSince.get(key);
    if (running && since == null) {
      runningSince.put(key, nanos);
    } else if (!running && since != null) {
      gpuSeconds += gpus(pod) * (nanos - runningSince.remove(key)) / 1e9;
    }
    if (gone) {
      live.remove(key);
    } else {
      live.put(key, pod);
    }
    String job = jobOf(pod);
    Integer rank = rankOf(pod);
    if (job == null || rank == null || !jobs.containsKey(job)) return;
    int replicas = jobs.get(job).replicas();
    if (running) everRunning.computeIfAbsent(job, k -> new HashSet<>()).add(rank);
    if (!gone) {
      firstPodAt.putIfAbsent(job, nanos);
      if (created.computeIfAbsent(job, k -> new HashSet<>()).add(rank) && created.get(job).size() == replicas) {
        allCreatedAt.putIfAbsent(job, nanos);
      }
      if (pod.getSpec() != null && pod.getSpec().getNodeName() != null
          && bound.computeIfAbsent(job, k -> new HashSet<>()).add(rank) && bound.get(job).size() == replicas) {
        allBoundAt.putIfAbsent(job, nanos);
      }
    }
    if (!gone && "Succeeded".equals(phase)) {
      Set<Integer> done = succeeded.computeIfAbsent(job, k -> new HashSet<>());
      if (done.add(rank) && done.size() == replicas) completedAt.putIfAbsent(job, nanos);
    }
    if (running && !whole.containsKey(job)) checkWhole(job, replicas, nanos);
  }

  private void checkWhole(String job, int replicas, long nanos) {
    String[] nodes = new String[replicas];
    int found = 0;
    List<Pod> others = new ArrayList<>();
    for (Pod p : live.values()) {
      if (!job.equals(jobOf(p))) {
        others.add(p);
        continue;
      }
      Integer r = rankOf(p);
      boolean running = p.getStatus() != null && "Running".equals(p.getStatus().getPhase()) && p.getMetadata().getDeletionTimestamp() == null;
      if (running && r != null && r >= 0 && r < replicas && nodes[r] == null) {
        nodes[r] = p.getSpec().getNodeName();
        found++;
      }
    }
    if (found == replicas) whole.put(job, new Whole(nanos, List.of(nodes), List.copyOf(others)));
  }

  /**
   * One watch event of a Gangway TrainingJob: {@code hasStatus} once its first reconcile wrote a status, {@code placed}
   * once its Placed condition is True (the decision stored, before any pod is created).
   */
  public void jobStatus(String job, boolean hasStatus, boolean placed, long nanos) {
    if (!jobs.containsKey(job)) return;
    if (hasStatus) statusAt.putIfAbsent(job, nanos);
    if (placed) placedAt.putIfAbsent(job, nanos);
  }

  /**
   * When each step of the job's start was first seen, in order: applied, first status (Gangway), Placed (Gangway), first
   * pod, every rank's pod, every rank bound, every rank Running at once; null where not seen.
   */
  public Long[] milestones(String job) {
    Whole w = whole.get(job);
    return new Long[] {appliedAt.get(job), statusAt.get(job), placedAt.get(job), firstPodAt.get(job), allCreatedAt.get(job),
        allBoundAt.get(job), w == null ? null : w.atNanos()};
  }

  /** Pods still Running are counted up to {@code nanos}. */
  public double gpuSecondsUntil(long nanos) {
    double open = 0;
    for (Map.Entry<String, Long> e : runningSince.entrySet()) {
      Pod p = live.get(e.getKey());
      if (p != null) open += gpus(p) * Math.max(0, nanos - e.getValue()) / 1e9;
    }
    return gpuSeconds + open;
  }

  public Map<String, Whole> whole() {
    return whole;
  }

  public Long appliedAt(String job) {
    return appliedAt.get(job);
  }

  public Long completedAt(String job) {
    return completedAt.get(job);
  }

  /** Ranks of the job that have been Running at some moment, together or not. */
  public int ranksEverRunning(String job) {
    return everRunning.getOrDefault(job, Set.of()).size();
  }

  /** Whether every applied job has completed. */
  public boolean allCompleted() {
    return completedAt.keySet().containsAll(appliedAt.keySet()) && appliedAt.size() == jobs.size();
  }

  /** Live pods of the contender right now. */
  public int livePods() {
    return live.size();
  }

  static String jobOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(JobManifests.JOB_LABEL);
  }

  /** A Gangway rank's label, or an Indexed Job pod's completion index. */
  static Integer rankOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    String value = labels.getOrDefault(GANGWAY_RANK, labels.get(JOB_INDEX));
    if (value == null && pod.getMetadata().getAnnotations() != null) value = pod.getMetadata().getAnnotations().get(JOB_INDEX);
    try {
      return value == null ? null : Integer.valueOf(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static int gpus(Pod pod) {
    return pod.getSpec() == null ? 0 : RankResources.of(pod.getSpec()).gpus();
  }
}

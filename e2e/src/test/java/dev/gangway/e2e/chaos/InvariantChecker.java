package dev.gangway.e2e.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The invariants that must hold in every snapshot, whatever faults are under way. Pure: a snapshot
 * and what the run did (deleted jobs, acknowledged check-ins) in, violations out.
 *
 * @param deletedJobGrace how long a deleted job's pods may linger (60 s in issue 10)
 * @param checkInBound    how long an acknowledged check-in may take to show in status
 */
public record InvariantChecker(Duration deletedJobGrace, Duration checkInBound) {

  public static final InvariantChecker STANDARD = new InvariantChecker(Duration.ofSeconds(60), Duration.ofSeconds(30));

  public List<Violation> check(Snapshot s, List<DeletedJob> deleted, List<CheckIn> checkIns) {
    List<Violation> found = new ArrayList<>();
    duplicateRankPods(s, found);
    oldAttemptsBesideNew(s, found);
    deletedJobsPods(s, deleted, found);
    gpuDoubleBooking(s, found);
    lostCheckIns(s, checkIns, found);
    return found;
  }

  private static void duplicateRankPods(Snapshot s, List<Violation> found) {
    Map<String, List<Snapshot.PodFact>> byRank = s.pods().stream().filter(Snapshot.PodFact::live)
        .collect(Collectors.groupingBy(p -> p.namespace() + "/" + p.job() + "/" + p.rank() + "/" + p.attempt(), TreeMap::new,
            Collectors.toList()));
    byRank.values().stream().filter(pods -> pods.size() > 1).forEach(pods -> {
      Snapshot.PodFact first = pods.get(0);
      found.add(new Violation(Invariant.DUPLICATE_RANK_POD, s.at(), first.namespace() + "/" + first.job(), first.rank(), first.attempt(),
          pods.size() + " live pods: " + pods.stream().map(Snapshot.PodFact::describe).collect(Collectors.joining("; "))));
    });
  }

  private static void oldAttemptsBesideNew(Snapshot s, List<Violation> found) {
    Map<String, List<Snapshot.PodFact>> running = s.pods().stream().filter(Snapshot.PodFact::running)
        .collect(Collectors.groupingBy(p -> p.namespace() + "/" + p.job(), TreeMap::new, Collectors.toList()));
    running.forEach((job, pods) -> {
      Snapshot.PodFact newest = pods.stream().max(Comparator.comparingInt(Snapshot.PodFact::attempt)).orElseThrow();
      pods.stream().filter(p -> p.attempt() < newest.attempt()).sorted(Comparator.comparingInt(Snapshot.PodFact::rank)).forEach(old ->
          found.add(new Violation(Invariant.OLD_ATTEMPT_BESIDE_NEW, s.at(), job, old.rank(), old.attempt(),
              old.describe() + " runs beside " + newest.describe() + " of attempt " + newest.attempt())));
    });
  }

  private void deletedJobsPods(Snapshot s, List<DeletedJob> deleted, List<Violation> found) {
    for (DeletedJob d : deleted) {
      if (s.at().isBefore(d.deletedAt().plus(deletedJobGrace))) {
        continue;
      }
      s.pods().stream().filter(p -> p.namespace().equals(d.namespace()) && p.job().equals(d.name())
              && (p.jobUid() == null || p.jobUid().equals(d.uid())))
          .forEach(p -> found.add(new Violation(Invariant.DELETED_JOB_POD_LEFT, s.at(), d.namespace() + "/" + d.name(), p.rank(),
              p.attempt(), p.describe() + " still exists " + Duration.between(d.deletedAt(), s.at()).toSeconds()
              + " s after the job (uid " + d.uid() + ") was deleted at " + d.deletedAt())));
    }
  }

  private static void gpuDoubleBooking(Snapshot s, List<Violation> found) {
    Map<String, List<Snapshot.PodFact>> byNode = s.pods().stream().filter(p -> p.live() && p.node() != null && p.gpus() > 0)
        .collect(Collectors.groupingBy(Snapshot.PodFact::node, TreeMap::new, Collectors.toList()));
    for (Snapshot.NodeFact node : s.nodes()) {
      List<Snapshot.PodFact> pods = byNode.getOrDefault(node.name(), List.of());
      int wanted = pods.stream().mapToInt(Snapshot.PodFact::gpus).sum();
      if (wanted > node.allocatableGpus()) {
        String jobs = pods.stream().map(p -> p.namespace() + "/" + p.job()).distinct().sorted().collect(Collectors.joining(","));
        found.add(new Violation(Invariant.GPU_DOUBLE_BOOKED, s.at(), jobs, null, null, "node " + node.name() + " has "
            + node.allocatableGpus() + " GPUs, live pods bound or reserved there want " + wanted + ": "
            + pods.stream().map(Snapshot.PodFact::describe).collect(Collectors.joining("; "))));
      }
    }
  }

  private void lostCheckIns(Snapshot s, List<CheckIn> checkIns, List<Violation> found) {
    for (CheckIn c : checkIns) {
      if (s.at().isBefore(c.acknowledgedAt().plus(checkInBound))) {
        continue;
      }
      Snapshot.JobFact job = s.job(c.namespace(), c.job());
      if (job == null || !job.uid().equals(c.uid())) {
        continue; // the job is gone: nothing left to reflect it
      }
      if (job.checkpointStep() == null || job.checkpointStep() < c.step()) {
        found.add(new Violation(Invariant.CHECKIN_LOST, s.at(), job.key(), null, c.attempt(), "step " + c.step() + " of attempt "
            + c.attempt() + " acknowledged by replica " + c.replica() + " at " + c.acknowledgedAt() + "; status.lastCheckpoint.step is "
            + job.checkpointStep() + " " + Duration.between(c.acknowledgedAt(), s.at()).toSeconds() + " s later"));
      }
    }
  }
}

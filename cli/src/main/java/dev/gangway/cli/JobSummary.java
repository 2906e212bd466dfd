package dev.gangway.cli;

import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.pod.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * One line of {@code kubectl gangway get}.
 *
 * @param ready ranks ready of the replicas asked for
 * @param restarts gang restarts charged to the job; {@code infrastructureRestarts} those charged to the fleet;
 *     {@code inPlaceRestarts} the current attempt's restarts of processes inside their pods, as its checkpoint reports count them
 * @param goodput status.goodput.ratio: useful GPU-seconds over those held so far; null before the job held GPUs
 */
record JobSummary(String namespace, String name, String phase, int ready, int replicas, int gpus, int attempt, int restarts,
                  int infrastructureRestarts, int inPlaceRestarts, Double goodput, String reason, long ageSeconds) {

  static List<JobSummary> of(List<TrainingJob> jobs, Instant now) {
    return jobs.stream().map(j -> of(j, now))
        .sorted(Comparator.comparing(JobSummary::namespace).thenComparing(JobSummary::name)).toList();
  }

  static JobSummary of(TrainingJob job, Instant now) {
    TrainingJobStatus s = job.getStatus() == null ? new TrainingJobStatus() : job.getStatus();
    int replicas = job.getSpec().getReplicas() == null ? 1 : job.getSpec().getReplicas();
    Instant created = Timestamps.parseOr(job.getMetadata().getCreationTimestamp(), now);
    return new JobSummary(job.getMetadata().getNamespace(), job.getMetadata().getName(),
        s.getPhase() == null ? "New" : s.getPhase().name(), orZero(s.getReadyRanks()), replicas, replicas * job.getSpec().gpus(),
        orZero(s.getAttempt()), orZero(s.getRestarts()), orZero(s.getInfrastructureRestarts()), orZero(s.getInPlaceRestarts()),
        s.getGoodput() == null ? null : s.getGoodput().getRatio(), WaitExplanation.blockingReason(job),
        Duration.between(created, now).toSeconds());
  }

  static String table(List<JobSummary> rows, boolean allNamespaces) {
    TextTable t = allNamespaces ? new TextTable("NAMESPACE", "NAME", "PHASE", "READY", "GPUS", "ATTEMPT", "RESTARTS", "GOODPUT", "WAITING ON", "AGE")
        : new TextTable("NAME", "PHASE", "READY", "GPUS", "ATTEMPT", "RESTARTS", "GOODPUT", "WAITING ON", "AGE");
    for (JobSummary r : rows) {
      String restarts = r.restarts() + (r.infrastructureRestarts() > 0 ? " (+" + r.infrastructureRestarts() + " infra)" : "")
          + (r.inPlaceRestarts() > 0 ? " (+" + r.inPlaceRestarts() + " in place)" : "");
      Object[] cells = {r.name(), r.phase(), r.ready() + "/" + r.replicas(), r.gpus(), r.attempt(), restarts, percent(r.goodput()), r.reason(),
          age(r.ageSeconds())};
      if (allNamespaces) {
        Object[] withNs = new Object[cells.length + 1];
        withNs[0] = r.namespace();
        System.arraycopy(cells, 0, withNs, 1, cells.length);
        cells = withNs;
      }
      t.row(cells);
    }
    return t.render();
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  /** A ratio as a percentage with one decimal, "-" when unknown. */
  static String percent(Double ratio) {
    return ratio == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f%%", ratio * 100);
  }

  /** kubectl's short ages: 45s, 12m, 3h, 2d. */
  static String age(long seconds) {
    if (seconds < 120) return seconds + "s";
    if (seconds < 7200) return seconds / 60 + "m";
    if (seconds < 172800) return seconds / 3600 + "h";
    return seconds / 86400 + "d";
  }
}

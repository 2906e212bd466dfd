package dev.gangway.e2e.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a chaos run found: faults by kind, violations (distinct, first sighting first), recovery per
 * fault kind beside first starts, leader takeovers. The run fills it in; {@link #render()} prints it.
 */
public final class ChaosReport {
  private final ChaosPlan plan;
  private final Map<FaultKind, Integer> applied = new EnumMap<>(FaultKind.class);
  private final Map<FaultKind, Integer> skipped = new EnumMap<>(FaultKind.class);
  private final Map<FaultKind, List<Duration>> recoveries = new EnumMap<>(FaultKind.class);
  private final List<Duration> firstStarts = new ArrayList<>();
  private final Takeovers takeovers = new Takeovers();
  private final Map<String, Violation> violations = new LinkedHashMap<>();
  private final Map<String, Integer> sightings = new LinkedHashMap<>();
  private final Map<String, String> outcomes = new TreeMap<>();
  private int checkIns;
  private int selfExits;
  private int orphanDeletes;
  private Duration leaderless = Duration.ZERO;
  private Duration apiServerSilent = Duration.ZERO;
  private int snapshots;
  private int failedSnapshots;

  public ChaosReport(ChaosPlan plan) {
    this.plan = plan;
  }

  public void applied(FaultKind kind) {
    applied.merge(kind, 1, Integer::sum);
  }

  /** The fault was due but nothing it could hit was in a state to be hit (e.g. no idle running job). */
  public void skipped(FaultKind kind) {
    skipped.merge(kind, 1, Integer::sum);
  }

  public void recovery(FaultKind kind, Duration took) {
    recoveries.computeIfAbsent(kind, k -> new ArrayList<>()).add(took);
  }

  public void firstStart(Duration took) {
    firstStarts.add(took);
  }

  /** Leader kills and their takeovers, split by kube-apiserver restarts in their window. */
  Takeovers takeovers() {
    return takeovers;
  }

  /** A replica exited without being killed (and was started again, as its Deployment would). */
  public void replicaExited() {
    selfExits++;
  }

  /**
   * Time during which no live replica held the Lease (or the API server did not answer): nobody could act.
   * Kept apart: the share while the API server did not answer, which no replica could shorten.
   */
  public void leaderless(Duration d, boolean apiServerAnswered) {
    leaderless = leaderless.plus(d);
    if (!apiServerAnswered) {
      apiServerSilent = apiServerSilent.plus(d);
    }
  }

  public void checkInAcknowledged() {
    checkIns++;
  }

  public void snapshot(boolean ok) {
    if (ok) {
      snapshots++;
    } else {
      failedSnapshots++;
    }
  }

  /** Keeps the first sighting of each distinct violation and counts the others. */
  public void violations(List<Violation> found) {
    for (Violation v : found) {
      violations.putIfAbsent(v.key(), v);
      sightings.merge(v.key(), 1, Integer::sum);
    }
  }

  public void outcome(String job, Expectation expected, String observed) {
    outcomes.put(job, expected.outcome() + " (restarts " + expected.restarts() + "+" + expected.infrastructureRestarts() + ") -> " + observed);
  }

  public List<Violation> violations() {
    return List.copyOf(violations.values());
  }

  public Map<FaultKind, Integer> appliedByKind() {
    return Map.copyOf(applied);
  }

  /** Rank pods of deleted jobs the replicas deleted themselves ({@link OrphanDeletes}). */
  public void orphanDeletes(int pods) {
    orphanDeletes = pods;
  }

  public String render() {
    StringBuilder out = new StringBuilder();
    ChaosProfile p = plan.profile();
    out.append(String.format(Locale.ROOT, "%n=== Chaos run: profile %s, seed %d, cluster %s (%d nodes x %d GPUs), %d jobs, %d faults planned ===%n",
        p.name(), plan.seed(), p.shape().name(), p.shape().nodes(), p.shape().gpusPerNode(), plan.jobs().size(), plan.faults().size()));
    out.append(String.format(Locale.ROOT, "snapshots: %d read, %d failed (API server down); check-ins acknowledged: %d%n", snapshots,
        failedSnapshots, checkIns));
    out.append(String.format(Locale.ROOT, "%-22s %8s %8s %8s  %s%n", "fault", "planned", "applied", "skipped", "recovery (inject -> next attempt Running)"));
    Map<FaultKind, Integer> planned = plan.faultsByKind();
    for (FaultKind kind : FaultKind.values()) {
      out.append(String.format(Locale.ROOT, "%-22s %8d %8d %8d  %s%n", kind, planned.getOrDefault(kind, 0), applied.getOrDefault(kind, 0),
          skipped.getOrDefault(kind, 0), kind.restarts() ? Percentiles.of(recoveries.getOrDefault(kind, List.of())) : "-"));
    }
    Percentiles starts = Percentiles.of(firstStarts);
    out.append("first start (apply -> Running): ").append(starts).append('\n');
    if (starts.count() > 0) {
      for (FaultKind kind : FaultKind.values()) {
        Percentiles r = Percentiles.of(recoveries.getOrDefault(kind, List.of()));
        if (r.count() > 0) {
          out.append(String.format(Locale.ROOT, "  %s recovery p50 / first start p50: %.2fx%n", kind,
              r.p50().toMillis() / (double) Math.max(1, starts.p50().toMillis())));
        }
      }
    }
    out.append(takeovers.render());
    out.append("replicas that exited by themselves (restarted as a Deployment would): ").append(selfExits).append('\n');
    out.append("rank pods of deleted jobs the operator deleted itself, the garbage collector not having in 20 s: ").append(orphanDeletes)
        .append('\n');
    out.append("time without a live leader (or API server): ~").append(leaderless.toSeconds()).append(" s, of which the API server did not answer for ~")
        .append(apiServerSilent.toSeconds()).append(" s\n");
    Map<Invariant, Integer> byInvariant = new EnumMap<>(Invariant.class);
    violations.values().forEach(v -> byInvariant.merge(v.invariant(), 1, Integer::sum));
    out.append("violations: ").append(violations.size()).append(" distinct ").append(byInvariant).append('\n');
    violations.forEach((key, v) -> out.append("  ").append(v).append(sightings.get(key) > 1 ? " [seen " + sightings.get(key) + "x]" : "")
        .append('\n'));
    out.append("jobs (expected -> observed):\n");
    outcomes.forEach((job, o) -> out.append("  ").append(job).append(": ").append(o).append('\n'));
    return out.toString();
  }
}

package dev.gangway.cli;

import dev.gangway.api.v1alpha1.CheckpointStatus;
import dev.gangway.api.v1alpha1.GoodputLossStatus;
import dev.gangway.api.v1alpha1.GoodputStatus;
import dev.gangway.api.v1alpha1.PlacementStatus;
import dev.gangway.api.v1alpha1.RankPlacement;
import dev.gangway.api.v1alpha1.NodeExclusion;
import dev.gangway.api.v1alpha1.RestartRecord;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.recovery.NodeExclusions;
import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code kubectl gangway describe JOB}: where the ranks sit in the topology and how that compares
 * with the best the free capacity allowed, what each restart cost, and the last checkpoint.
 *
 * @param domains per topology level (outermost first): domain value → ranks in it
 * @param ringCrossings per level: hops of the rank ring that leave a domain; {@code lowerBoundDomains} the fewest domains possible
 */
record JobReport(JobSummary summary, List<Map<String, String>> conditions, Map<String, Map<String, List<Integer>>> domains,
                 Map<String, Integer> domainsSpanned, Map<String, Integer> lowerBoundDomains, Map<String, Integer> ringCrossings,
                 Double predictedAllReduceMillis, Double lowerBoundAllReduceMillis, String slowestLink,
                 List<RestartRecord> restarts, CheckpointStatus lastCheckpoint, List<NodeExclusion> nodeExclusions,
                 GoodputStatus goodput) {

  static JobReport of(TrainingJob job, ClusterState cluster) {
    TrainingJobStatus s = job.getStatus() == null ? new TrainingJobStatus() : job.getStatus();
    PlacementStatus p = s.getPlacement() == null ? new PlacementStatus() : s.getPlacement();
    List<Map<String, String>> conditions = new ArrayList<>();
    for (Condition c : s.getConditions()) {
      Map<String, String> row = new LinkedHashMap<>();
      row.put("type", c.getType());
      row.put("status", c.getStatus());
      row.put("reason", c.getReason());
      row.put("message", c.getMessage());
      conditions.add(row);
    }
    return new JobReport(JobSummary.of(job, cluster.now()), conditions, domains(p.getRanks(), cluster.view().topologyFor(job), cluster.nodes()),
        p.getDomainsSpanned(), p.getLowerBoundDomains(), p.getRingCrossings(), p.getPredictedAllReduceMillis(),
        p.getLowerBoundAllReduceMillis(), p.getSlowestLink(), s.getRestartHistory() == null ? List.of() : s.getRestartHistory(),
        s.getLastCheckpoint(), NodeExclusions.active(s.getNodeExclusions(), cluster.now()), s.getGoodput());
  }

  /** Ranks by domain at each level but the host level: which ranks share an NVLink domain, a rack, a block. */
  static Map<String, Map<String, List<Integer>>> domains(List<RankPlacement> ranks, Topology topology, List<Node> nodes) {
    Map<String, Map<String, String>> labels = nodes.stream().collect(Collectors.toMap(n -> n.getMetadata().getName(),
        n -> n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels(), (a, b) -> a));
    Map<String, Map<String, List<Integer>>> byLevel = new LinkedHashMap<>();
    for (Level level : topology.levels()) {
      Map<String, List<Integer>> byDomain = new TreeMap<>();
      for (RankPlacement r : ranks) {
        if (r.getNode() == null || r.getRank() == null) continue;
        String value = labels.getOrDefault(r.getNode(), Map.of()).getOrDefault(level.nodeLabel(), "?");
        byDomain.computeIfAbsent(value, v -> new ArrayList<>()).add(r.getRank());
      }
      byDomain.values().forEach(list -> list.sort(Integer::compare));
      if (!byDomain.isEmpty()) byLevel.put(level.name(), byDomain);
    }
    return byLevel;
  }

  String text() {
    StringBuilder out = new StringBuilder();
    JobSummary j = summary;
    out.append("Name:       ").append(j.namespace()).append('/').append(j.name()).append('\n');
    out.append("Phase:      ").append(j.phase()).append("   ready ").append(j.ready()).append('/').append(j.replicas())
        .append(" ranks, ").append(j.gpus()).append(" GPUs, attempt ").append(j.attempt()).append('\n');
    out.append("Restarts:   ").append(j.restarts()).append(" charged to the job, ").append(j.infrastructureRestarts())
        .append(" to the infrastructure\n");
    out.append("\nConditions:\n");
    TextTable c = new TextTable("  TYPE", "STATUS", "REASON", "MESSAGE");
    conditions.forEach(row -> c.row("  " + row.get("type"), row.get("status"), row.get("reason"), row.get("message")));
    out.append(c.render());
    out.append("\nPlacement:\n");
    if (domains.isEmpty()) {
      out.append("  not placed\n");
    } else {
      TextTable t = new TextTable("  LEVEL", "DOMAINS", "FEWEST POSSIBLE", "RING CROSSINGS", "RANKS BY DOMAIN");
      domains.forEach((level, byDomain) -> t.row("  " + level, byDomain.size(), value(lowerBoundDomains, level),
          value(ringCrossings, level), byDomain.entrySet().stream().map(e -> e.getKey() + ": " + ranges(e.getValue()))
              .collect(Collectors.joining("  "))));
      out.append(t.render());
      if (predictedAllReduceMillis != null) {
        out.append("  all-reduce: ").append(String.format("%.1f ms predicted, %.1f ms the bound", predictedAllReduceMillis,
            lowerBoundAllReduceMillis == null ? Double.NaN : lowerBoundAllReduceMillis));
        if (lowerBoundAllReduceMillis != null && lowerBoundAllReduceMillis > 0) {
          out.append(String.format(" (%.2fx)", predictedAllReduceMillis / lowerBoundAllReduceMillis));
        }
        out.append(slowestLink == null ? "" : ", slowest link: " + slowestLink).append('\n');
      }
    }
    out.append("\nRestarts:\n");
    if (restarts.isEmpty()) {
      out.append("  none\n");
    } else {
      TextTable t = new TextTable("  ATTEMPT", "TIME", "CAUSE", "RANK", "NODE", "EXIT", "RESUMED FROM", "RECOVERY", "REASON");
      restarts.forEach(r -> t.row("  " + r.getAttempt(), r.getTime(), r.getCause(), r.getRank(), r.getNode(), r.getExitCode(),
          r.getResumedFrom() == null ? "(scratch)" : r.getResumedFrom(), r.getRecoverySeconds() == null ? null : r.getRecoverySeconds() + "s",
          r.getReason()));
      out.append(t.render());
    }
    if (!nodeExclusions.isEmpty()) {
      out.append("  excluded nodes: ").append(nodeExclusions.stream()
          .map(e -> e.getNode() + " (" + e.getCause() + ", until " + e.getUntil() + ")").collect(Collectors.joining(", ")))
          .append('\n');
    }
    out.append("\nLast checkpoint: ");
    out.append(lastCheckpoint == null ? "none reported" : "step " + lastCheckpoint.getStep() + " at " + lastCheckpoint.getPath()
        + " (attempt " + lastCheckpoint.getAttempt() + ", " + lastCheckpoint.getTime() + ")" + inPlaceText(lastCheckpoint)).append('\n');
    out.append("\nGoodput:    ").append(goodputText());
    return out.toString();
  }

  /** The in-place restarts the checkpoint's report counted, and what the last one resumed from, when it said. */
  private static String inPlaceText(CheckpointStatus c) {
    if (c.getInPlaceRestarts() == null) {
      return "";
    }
    String count = "; processes restarted in place " + c.getInPlaceRestarts() + (c.getInPlaceRestarts() == 1 ? " time" : " times");
    if (c.getInPlaceRestartTime() == null) {
      return count;
    }
    return count + ", the last at " + c.getInPlaceRestartTime() + ", resuming from "
        + (c.getResumedFromTime() == null ? "the attempt's start" : "the checkpoint of " + c.getResumedFromTime());
  }

  /** Of the GPU time held so far, how much trained, and what the rest was lost to, in GPU-hours. */
  private String goodputText() {
    if (goodput == null || goodput.getRatio() == null) {
      return "not counted yet (counting starts when the gang is first placed)\n";
    }
    GoodputLossStatus lost = goodput.getLostGpuSeconds() == null ? new GoodputLossStatus() : goodput.getLostGpuSeconds();
    StringBuilder out = new StringBuilder();
    out.append(JobSummary.percent(goodput.getRatio())).append(" so far: ").append(hours(goodput.getUsefulGpuSeconds()))
        .append(" GPU-h useful of ").append(hours(goodput.getHeldGpuSeconds())).append(" held (")
        .append(hours(goodput.getSinceCheckpointGpuSeconds())).append(" since the last checkpoint), as of ")
        .append(goodput.getUpdatedTime()).append('\n');
    TextTable t = new TextTable("  LOST TO", "GPU-H");
    t.row("  work since last checkpoint", hours(lost.getLostWork()));
    t.row("  detection", hours(lost.getDetection()));
    t.row("  restart and re-placement", hours(lost.getRestart()));
    t.row("  waiting for capacity", hours(lost.getWaitingForCapacity()));
    out.append(t.render());
    return out.toString();
  }

  private static String hours(Long gpuSeconds) {
    return String.format(java.util.Locale.ROOT, "%.2f", gpuSeconds == null ? 0.0 : gpuSeconds / 3600.0);
  }

  private static Object value(Map<String, Integer> map, String key) {
    return map == null ? null : map.get(key);
  }

  /** [0,1,2,3,6] → "0-3,6". */
  static String ranges(List<Integer> sorted) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < sorted.size(); i++) {
      int start = sorted.get(i);
      int end = start;
      while (i + 1 < sorted.size() && sorted.get(i + 1) == end + 1) {
        end = sorted.get(++i);
      }
      if (out.length() > 0) out.append(',');
      out.append(start == end ? String.valueOf(start) : start + "-" + end);
    }
    return out.toString();
  }
}

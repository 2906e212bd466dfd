package dev.gangway.e2e.sidebyside;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where each job's apply → all ranks Running went, stage by stage, from the times the replay's watches saw each step
 * ({@link ReplayTimeline#milestones}): apply → first status written (Gangway's first reconcile) → Placed=True (the decision
 * stored, after any wait for capacity) → first pod seen → every rank's pod seen → every rank bound → every rank Running.
 * A stage a contender has no such step for (Kueue and kube-scheduler write no TrainingJob status) is folded into the next
 * one. Printed per job, then the sum and median of each stage over the jobs that reached it.
 */
public final class StartBreakdown {
  static final String[] STAGES = {"apply → status", "→ Placed", "→ first pod", "→ all pods", "→ all bound", "→ all Running"};

  private StartBreakdown() {
  }

  /** Seconds spent in each stage by one job; NaN for a stage it has no step for or did not reach. */
  static double[] stages(Long[] milestones) {
    double[] out = new double[STAGES.length];
    Arrays.fill(out, Double.NaN);
    Long previous = milestones[0];
    if (previous == null) return out;
    for (int i = 1; i < milestones.length; i++) {
      if (milestones[i] == null) continue;
      // A step seen before the previous one (a watch event overtaken by another) counts as no time.
      out[i - 1] = Math.max(0, milestones[i] - previous) / 1e9;
      previous = Math.max(previous, milestones[i]);
    }
    return out;
  }

  public static String render(String contender, List<ReplayJob> stream, ReplayTimeline timeline) {
    StringBuilder out = new StringBuilder(contender + ": apply → all ranks Running, stage by stage (s)\n| job | ranks |");
    for (String s : STAGES) out.append(' ').append(s).append(" |");
    out.append(" total |\n|---|---|").append("---|".repeat(STAGES.length + 1)).append('\n');
    List<List<Double>> byStage = new ArrayList<>();
    for (int i = 0; i < STAGES.length; i++) byStage.add(new ArrayList<>());
    for (ReplayJob j : stream) {
      double[] stages = stages(timeline.milestones(j.name()));
      out.append("| ").append(j.name()).append(" | ").append(j.replicas()).append(" |");
      double total = 0;
      boolean reached = false;
      for (int i = 0; i < stages.length; i++) {
        out.append(Double.isNaN(stages[i]) ? " — |" : String.format(Locale.ROOT, " %.1f |", stages[i]));
        if (!Double.isNaN(stages[i])) {
          byStage.get(i).add(stages[i]);
          total += stages[i];
          reached = i == stages.length - 1;
        }
      }
      out.append(reached ? String.format(Locale.ROOT, " %.1f |%n", total) : " never whole |\n");
    }
    out.append("| sum | |");
    byStage.forEach(v -> out.append(v.isEmpty() ? " — |" : String.format(Locale.ROOT, " %.1f |", v.stream().mapToDouble(d -> d).sum())));
    out.append(" |\n| median | |");
    byStage.forEach(v -> out.append(v.isEmpty() ? " — |" : String.format(Locale.ROOT, " %.1f |", median(v))));
    return out.append(" |\n").toString();
  }

  /** The middle value, or the mean of the two middle ones. */
  public static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}

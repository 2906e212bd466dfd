package dev.gangway.sim.report;

import dev.gangway.goodput.Bucket;
import dev.gangway.sim.run.PolicyResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** The results as Markdown tables, for stdout and for pasting into a README. */
public final class TextReport {

  private TextReport() {
  }

  public static String render(List<PolicyResult> results) {
    StringBuilder s = new StringBuilder();
    if (results.get(0).large() != null) {
      PolicyResult.LargeJob first = results.get(0).large();
      s.append(String.format(Locale.ROOT, "Large job (%,d GPUs, %.1f days): hours of its elapsed time by bucket%n%n", first.gpus(),
          first.elapsedHours() / 24));
      List<String> head = new ArrayList<>(List.of("policy", "ETTR"));
      for (Bucket b : Bucket.values()) if (b != Bucket.USEFUL) head.add(b.label());
      head.addAll(List.of("interruptions", "restarts", "ckpt interval min", "excluded nodes", "waiting at the end since day"));
      List<List<String>> rows = new ArrayList<>();
      for (PolicyResult r : results) {
        PolicyResult.LargeJob l = r.large();
        List<String> row = new ArrayList<>(List.of(r.policy().name(), pct(l.ettr())));
        for (Bucket b : Bucket.values()) if (b != Bucket.USEFUL) row.add(num(l.hoursByBucket().get(b.name()), 1));
        row.add(Integer.toString(l.interruptions()));
        row.add(Integer.toString(l.restartsByCause().values().stream().mapToInt(Integer::intValue).sum()));
        row.add(num(l.meanIntervalMinutes(), 0));
        row.add(Integer.toString(l.excludedNodes()));
        row.add(l.waitingSinceDay() == null ? "-" : num(l.waitingSinceDay(), 1));
        rows.add(row);
      }
      table(s, head, rows);
      s.append(String.format(Locale.ROOT, "%nLarge job: restarts by the cause Gangway classified%n%n"));
      TreeSet<String> causes = new TreeSet<>();
      results.forEach(r -> causes.addAll(r.large().restartsByCause().keySet()));
      List<String> h2 = new ArrayList<>(List.of("policy"));
      h2.addAll(causes);
      List<List<String>> rows2 = new ArrayList<>();
      for (PolicyResult r : results) {
        List<String> row = new ArrayList<>(List.of(r.policy().name()));
        for (String c : causes) row.add(Integer.toString(r.large().restartsByCause().getOrDefault(c, 0)));
        rows2.add(row);
      }
      table(s, h2, rows2);
      s.append(String.format(Locale.ROOT, "%nInterruptions of the large job by category (same faults for every policy; repeats on "
          + "a broken node count again): %s%n", results.get(0).large().interruptionsByCategory()));
      for (PolicyResult r : results) {
        if (r.large().defaultBudgetSpentDay() != null) {
          s.append(String.format(Locale.ROOT, "  %s: with the API's default budgets (maxRestarts 3, maxInfrastructureRestarts 10) "
              + "the job would have Failed on day %.1f%n", r.policy().name(), r.large().defaultBudgetSpentDay()));
        }
        if (r.large().unschedulableMessage() != null) {
          s.append(String.format(Locale.ROOT, "  %s: Unschedulable: %s%n", r.policy().name(), r.large().unschedulableMessage()));
        }
      }
    }
    s.append(String.format(Locale.ROOT, "%nMixed stream and fleet%n%n"));
    List<String> h3 = List.of("policy", "jobs", "completed", "failed", "stream goodput", "wait mean h", "wait p95 h",
        "all-reduce vs bound mean", "p95", "at bound", "fleet utilisation", "fleet goodput");
    List<List<String>> rows3 = new ArrayList<>();
    for (PolicyResult r : results) {
      PolicyResult.Stream st = r.stream();
      rows3.add(st == null
          ? List.of(r.policy().name(), "0", "-", "-", "-", "-", "-", "-", "-", "-", pct(r.fleet().utilisation()), pct(r.fleet().goodput()))
          : List.of(r.policy().name(), Integer.toString(st.submitted()), Integer.toString(st.completed()), Integer.toString(st.failed()),
              pct(st.goodput()), num(st.meanWaitHours(), 2), num(st.p95WaitHours(), 2), num(st.meanAllReduceVsBound(), 3),
              num(st.p95AllReduceVsBound(), 3), pct(st.atBoundShare()), pct(r.fleet().utilisation()), pct(r.fleet().goodput())));
    }
    table(s, h3, rows3);
    return s.toString();
  }

  static void table(StringBuilder s, List<String> head, List<List<String>> rows) {
    s.append("| ").append(String.join(" | ", head)).append(" |\n");
    s.append("|").append("---|".repeat(head.size())).append('\n');
    for (List<String> r : rows) s.append("| ").append(String.join(" | ", r)).append(" |\n");
  }

  static String pct(double v) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  static String num(Double v, int digits) {
    return v == null ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
  }
}

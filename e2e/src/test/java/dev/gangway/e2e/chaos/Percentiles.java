package dev.gangway.e2e.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Nearest-rank percentiles of durations, for the report. */
public record Percentiles(int count, Duration p50, Duration p95, Duration max) {

  public static Percentiles of(List<Duration> values) {
    if (values.isEmpty()) {
      return new Percentiles(0, null, null, null);
    }
    List<Duration> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return new Percentiles(sorted.size(), rank(sorted, 50), rank(sorted, 95), sorted.get(sorted.size() - 1));
  }

  private static Duration rank(List<Duration> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  @Override
  public String toString() {
    return count == 0 ? "n=0" : String.format(Locale.ROOT, "n=%d p50=%.1fs p95=%.1fs max=%.1fs", count, p50.toMillis() / 1000.0,
        p95.toMillis() / 1000.0, max.toMillis() / 1000.0);
  }
}

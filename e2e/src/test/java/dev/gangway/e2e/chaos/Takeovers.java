package dev.gangway.e2e.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Leader kills and what followed, split by whether a kube-apiserver restart fell between the SIGKILL and the other
 * replica's acquisition: while the API server is down no replica can take the Lease, so only the takeovers without
 * one are held to issue 10's target (the Lease duration + 2 s). Before this split a run's single figure mixed both,
 * and the README separated them by hand.
 */
final class Takeovers {
  /** The part of issue 10's target beyond the Lease duration: the follower's retry period and some slack. */
  static final Duration SLACK = Duration.ofSeconds(2);

  /** When kube-apiserver was being restarted (from the restart command's start to its readiness). */
  record Downtime(Instant from, Instant to) {
    boolean overlaps(Instant start, Instant end) {
      return !to.isBefore(start) && !from.isAfter(end);
    }
  }

  private record Takeover(Duration took, Duration leaseDuration, boolean besideApiServerRestart) {
  }

  private final List<Takeover> seen = new ArrayList<>();
  private int unseen;
  private int unseenBesideApiServerRestart;

  /** The other replica acquired the Lease {@code killed} → {@code acquired}; {@code downtimes} are the run's so far. */
  synchronized void taken(Instant killed, Instant acquired, Duration leaseDuration, List<Downtime> downtimes) {
    seen.add(new Takeover(Duration.between(killed, acquired), leaseDuration, besideRestart(killed, acquired, downtimes)));
  }

  /** No other replica held the Lease by {@code gaveUp}. */
  synchronized void notSeen(Instant killed, Instant gaveUp, List<Downtime> downtimes) {
    unseen++;
    if (besideRestart(killed, gaveUp, downtimes)) {
      unseenBesideApiServerRestart++;
    }
  }

  private static boolean besideRestart(Instant from, Instant to, List<Downtime> downtimes) {
    return downtimes.stream().anyMatch(d -> d.overlaps(from, to));
  }

  /** The takeovers with no kube-apiserver restart in their window that took longer than the Lease duration + 2 s. */
  synchronized int cleanOverTarget() {
    return (int) seen.stream().filter(t -> !t.besideApiServerRestart() && t.took().compareTo(t.leaseDuration().plus(SLACK)) > 0).count();
  }

  synchronized int cleanCount() {
    return (int) seen.stream().filter(t -> !t.besideApiServerRestart()).count();
  }

  synchronized String render() {
    List<Duration> clean = seen.stream().filter(t -> !t.besideApiServerRestart()).map(Takeover::took).toList();
    List<Duration> beside = seen.stream().filter(Takeover::besideApiServerRestart).map(Takeover::took).toList();
    String target = seen.stream().map(t -> t.leaseDuration().plus(SLACK)).distinct()
        .map(d -> String.format(Locale.ROOT, "%.0f s", d.toMillis() / 1000.0)).reduce((a, b) -> a + ", " + b).orElse("the Lease duration + 2 s");
    StringBuilder out = new StringBuilder();
    out.append("leader takeovers (SIGKILL -> Lease acquireTime of the other replica): ").append(Percentiles.of(seen.stream()
        .map(Takeover::took).toList())).append('\n');
    out.append("  without a kube-apiserver restart in the window: ").append(Percentiles.of(clean));
    if (!clean.isEmpty()) {
      out.append(String.format(Locale.ROOT, "; within the Lease duration + 2 s (%s): %d of %d", target, clean.size() - cleanOverTarget(),
          clean.size()));
    }
    out.append('\n');
    out.append("  with one (no replica can take the Lease while the API server is down): ").append(Percentiles.of(beside)).append('\n');
    out.append(String.format(Locale.ROOT, "  leader kills with no takeover by the other replica within 120 s: %d (%d of them beside a"
        + " kube-apiserver restart)%n", unseen, unseenBesideApiServerRestart));
    return out.toString();
  }
}

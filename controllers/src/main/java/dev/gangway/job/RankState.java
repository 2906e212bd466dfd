package dev.gangway.job;

/**
 * One rank of the current attempt as observed.
 *
 * @param detail why the rank is where it is, for messages: a scheduling message, a waiting reason,
 *     or the termination reason and message
 */
public record RankState(int rank, String pod, RankPhase phase, boolean ready, String node, Integer exitCode,
                        String reason, String detail) {

  public static RankState missing(int rank) {
    return new RankState(rank, null, RankPhase.Missing, false, null, null, null, null);
  }

  public boolean running() {
    return phase == RankPhase.Running;
  }

  /** How a failed rank ended, as one sentence. */
  public String failureSummary() {
    StringBuilder s = new StringBuilder("rank ").append(rank).append(" (pod ").append(pod);
    if (node != null) s.append(" on node ").append(node);
    s.append(") failed");
    if (exitCode != null) s.append(" with exit code ").append(exitCode);
    if (reason != null) s.append(" (").append(reason).append(')');
    if (detail != null && !detail.isBlank()) s.append(": ").append(detail.strip());
    return s.toString();
  }
}

package dev.gangway.pod;

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
}

package dev.gangway.leadership;

import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this operator replica is the one that may write to the cluster. Only the leader writes
 * (pods, status, taints, cordons, Events, durable check-ins); a follower keeps its caches and
 * in-memory stores warm and forwards check-ins. Filled by the leader-election callbacks; where
 * leader election is off (tests, a single dev process) the replica leads from the start.
 */
public final class Leadership {
  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  private volatile boolean leader;
  private final CopyOnWriteArrayList<Runnable> onStartLeading = new CopyOnWriteArrayList<>();

  private Leadership(boolean leader) {
    this.leader = leader;
  }

  /** A replica that waits to be elected. */
  public static Leadership elected() {
    return new Leadership(false);
  }

  /** A replica that leads from the start: leader election is off. */
  public static Leadership always() {
    return new Leadership(true);
  }

  public boolean isLeader() {
    return leader;
  }

  /**
   * Runs {@code action} each time this replica starts leading, on the caller of {@link #startLeading};
   * at once when it leads already. Actions that block on the API server should hand off to a thread of their own.
   */
  public void whenLeading(Runnable action) {
    onStartLeading.add(action);
    if (leader) {
      run(action);
    }
  }

  public void startLeading() {
    leader = true;
    onStartLeading.forEach(Leadership::run);
  }

  public void stopLeading() {
    leader = false;
  }

  private static void run(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.warn("An action on becoming leader failed", e);
    }
  }
}

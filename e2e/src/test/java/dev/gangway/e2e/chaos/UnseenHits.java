package dev.gangway.e2e.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Node faults that hit a job without the run seeing it: the operator placed a gang on the node in the
 * seconds between the run's last look and the operator learning of the fault. The job's own
 * status.restartHistory names the node and the time, so a restart there is counted when a fault of
 * the run was on that node then, at most once per fault; a restart no fault explains stays
 * unexplained, and the outcome check calls it miscounted. Pure.
 */
public final class UnseenHits {
  /** Restart causes Gangway charges to the infrastructure budget. */
  static final Set<String> INFRASTRUCTURE_CAUSES = Set.of("NodeLost", "NodeUnhealthy", "NodeNotReady", "PodDisrupted");
  /** A restart is explained by a fault from a little before it was injected (clocks) until well after it was undone. */
  private static final Duration BEFORE = Duration.ofSeconds(5);

  private UnseenHits() {
  }

  /** A node fault of the run: on {@code node} from {@code from} until {@code until} (null: never undone). */
  public record NodeFault(String node, FaultKind kind, Instant from, Instant until) {
  }

  /** A fault that hit attempt {@code attempt} of the job unseen. */
  public record Unseen(NodeFault fault, int attempt) {
  }

  /** One status.restartHistory entry. */
  public record RestartEntry(int attempt, String cause, String node, Instant time) {
  }

  /**
   * @param seen  the node faults the run counted against this job, by when they were injected
   * @param after how long after a fault was undone a restart may still be detected (the operator's grace and a reconcile)
   * @return the faults to add to the job's hits, in history order
   */
  public static List<Unseen> of(List<RestartEntry> history, List<NodeFault> faults, Set<Instant> seen, Duration after) {
    List<RestartEntry> unexplained = new ArrayList<>();
    Set<NodeFault> used = new HashSet<>();
    for (RestartEntry e : history) { // the run's own hits explain first
      Optional<NodeFault> f = candidates(e, faults, after).filter(c -> seen.contains(c.from()) && !used.contains(c)).findFirst();
      f.ifPresentOrElse(used::add, () -> unexplained.add(e));
    }
    List<Unseen> unseen = new ArrayList<>();
    for (RestartEntry e : unexplained) {
      candidates(e, faults, after).filter(c -> !seen.contains(c.from()) && !used.contains(c)).findFirst().ifPresent(f -> {
        used.add(f);
        unseen.add(new Unseen(f, e.attempt()));
      });
    }
    return unseen;
  }

  /** Faults on the entry's node, of a kind that gives its cause, in force when it failed. */
  private static Stream<NodeFault> candidates(RestartEntry e, List<NodeFault> faults, Duration after) {
    if (e.node() == null || e.time() == null || !INFRASTRUCTURE_CAUSES.contains(e.cause())) {
      return Stream.empty();
    }
    return faults.stream().filter(f -> f.node().equals(e.node()) && causes(f.kind(), e.cause()) && !e.time().isBefore(f.from().minus(BEFORE))
        && (f.until() == null || !e.time().isAfter(f.until().plus(after))));
  }

  /** Which restart causes each node fault can give (PodDisrupted: the pods of a lost or tainted node were removed). */
  static boolean causes(FaultKind kind, String cause) {
    return switch (cause) {
      case "NodeUnhealthy" -> kind == FaultKind.NODE_HEALTH_FATAL;
      case "NodeLost", "NodeNotReady" -> kind == FaultKind.NODE_NOT_READY || kind == FaultKind.NODE_NOT_READY_BLIP
          || kind == FaultKind.NODE_DELETED;
      default -> true;
    };
  }
}

package dev.gangway.job;

import dev.gangway.act.DaemonThreads;
import dev.gangway.act.JobEventRecorder;
import dev.gangway.act.NodeMarker;
import dev.gangway.decide.JobEvent;
import dev.gangway.health.NodeHealthSignal;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * What the leader does when a node becomes fatally unhealthy or healthy again: taint and/or cordon it
 * as configured ({@link NodeMarker}), record a Node Event, forget its earlier failures once repaired,
 * and wake the jobs with ranks on it. A follower does nothing (its registry stays warm); when it
 * starts leading it replays every current fatal mark, so a signal that reached it, or that the old
 * leader recorded but had not acted on, is acted on. Marking and Events are idempotent or best
 * effort, so a replay repeats no harm.
 */
public final class NodeHealthReactions {
  // Signals arrive on the HTTP event loop, a Kafka consumer thread or an informer thread; the node writes
  // block on the API server, so they run on a thread of their own (one, so a node's mark and unmark keep their order).
  private static final ExecutorService REACTIONS = Executors.newSingleThreadExecutor(DaemonThreads.named("gangway-node-health"));

  private final JobDependencies deps;
  private final KubernetesClient client;
  private final NodeMarker marker;
  private final JobEventRecorder events;
  private final Consumer<String> wakeJobsOn;

  private NodeHealthReactions(JobDependencies deps, KubernetesClient client, NodeMarker marker, JobEventRecorder events,
                              Consumer<String> wakeJobsOn) {
    this.deps = deps;
    this.client = client;
    this.marker = marker;
    this.events = events;
    this.wakeJobsOn = wakeJobsOn;
  }

  /**
   * Reacts to every change of the health registry while this replica leads, and replays the fatal marks each time it starts leading.
   *
   * @param wakeJobsOn triggers a reconcile of the jobs with ranks on the named node
   */
  static void register(JobDependencies deps, KubernetesClient client, NodeMarker marker, JobEventRecorder events,
                       Consumer<String> wakeJobsOn) {
    NodeHealthReactions reactions = new NodeHealthReactions(deps, client, marker, events, wakeJobsOn);
    deps.health().addListener(reactions::changed);
    deps.leadership().whenLeading(() -> REACTIONS.execute(reactions::replay));
  }

  private void changed(String node) {
    if (deps.leadership().isLeader()) {
      REACTIONS.execute(() -> react(node));
    }
  }

  private void replay() {
    deps.health().fatalNodes(deps.clock().instant()).forEach(this::react);
  }

  private void react(String node) {
    if (!deps.leadership().isLeader()) {
      return;
    }
    Optional<NodeHealthSignal> fatal = deps.health().fatalSignal(node, deps.clock().instant());
    if (fatal.isEmpty()) {
      // Health restored (a Cleared signal is the repair signal): earlier failures there no longer count against it.
      deps.badNodes().clear(node);
    }
    fatal.ifPresentOrElse(s -> marker.mark(client, node, s.reason()), () -> marker.unmark(client, node));
    events.recordOnNode(client, node, fatal
        .map(s -> JobEvent.warning("GangwayNodeUnhealthy", "Reported " + s.reason() + " at " + s.time()
            + ": Gangway moves gangs off this node and places no new ones on it"))
        .orElse(JobEvent.normal("GangwayNodeHealthy", "Health restored: Gangway places gangs on this node again")));
    wakeJobsOn.accept(node);
  }
}

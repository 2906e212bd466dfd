package dev.gangway.job;

import dev.gangway.act.DaemonThreads;
import dev.gangway.act.JobEventRecorder;
import dev.gangway.act.NodeMarker;
import dev.gangway.decide.JobEvent;
import dev.gangway.recovery.NodeFlagChange;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Keeps the bad-node flags in step with the nodes, on every replica: a flag kept on a node is restored when the node
 * is first seen (a restart or a new leader forgets nothing), and a flag whose label a person removed, or whose cordon a
 * person undid, is lifted ({@link NodeFlagChange}). The leader then removes what is left of it on the node and records
 * a Node Event. Fed by the node informer's store, so it must not block: writes run on a thread of their own.
 */
final class NodeFlagSync {
  private static final ExecutorService WRITES = Executors.newSingleThreadExecutor(DaemonThreads.named("gangway-node-flags"));

  private final JobDependencies deps;
  private final KubernetesClient client;
  private final NodeMarker marker;
  private final JobEventRecorder events;
  /** Whether each node carried the flag's label when last seen. */
  private final Map<String, Boolean> labelled = new ConcurrentHashMap<>();
  private final Set<String> unflagging = ConcurrentHashMap.newKeySet();

  NodeFlagSync(JobDependencies deps, KubernetesClient client, NodeMarker marker, JobEventRecorder events) {
    this.deps = deps;
    this.client = client;
    this.marker = marker;
    this.events = events;
  }

  void seen(Node node) {
    String name = node.getMetadata().getName();
    boolean now = node.getMetadata().getLabels() != null && node.getMetadata().getLabels().containsKey(NodeFlagChange.FLAGGED);
    Boolean before = labelled.put(name, now);
    switch (NodeFlagChange.of(Boolean.TRUE.equals(before), node)) {
      case RESTORE -> deps.badNodes().restore(name);
      case LIFT -> lifted(name, false);
      case LIFT_AND_UNFLAG -> lifted(name, true);
      case NONE -> {
      }
    }
  }

  /** A node deleted is forgotten: one that comes back under its name is a new machine. */
  void removed(Node node) {
    labelled.remove(node.getMetadata().getName());
    deps.badNodes().clear(node.getMetadata().getName());
  }

  private void lifted(String node, boolean unflag) {
    deps.badNodes().clear(node);
    // Once per lift: the node's later updates (heartbeats) show the same state until the write lands.
    if (unflag && deps.leadership().isLeader() && unflagging.add(node)) {
      // A mark set for a fatal health signal stays until that node's Cleared signal.
      boolean fatal = deps.health().fatalSignal(node, deps.clock().instant()).isPresent();
      WRITES.execute(() -> {
        try {
          marker.unflag(client, node, !fatal);
          events.recordOnNode(client, node, JobEvent.normal("GangwayNodeFlagLifted", "The flag for repeated failures was lifted "
              + "(its label removed or the node uncordoned): Gangway places gangs on this node again"));
        } finally {
          unflagging.remove(node);
        }
      });
    }
  }
}

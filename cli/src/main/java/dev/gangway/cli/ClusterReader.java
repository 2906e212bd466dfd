package dev.gangway.cli;

import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.List;

/** Reads what the views need: one list call per kind (jobs and pods in one namespace, or all). */
final class ClusterReader {
  private ClusterReader() {
  }

  /** @param namespace null for all namespaces */
  static ClusterState read(KubernetesClient client, String namespace, boolean withCluster) {
    List<TrainingJob> jobs = namespace == null ? client.resources(TrainingJob.class).inAnyNamespace().list().getItems()
        : client.resources(TrainingJob.class).inNamespace(namespace).list().getItems();
    if (!withCluster) {
      return new ClusterState(jobs, List.of(), List.of(), List.of(), List.of(), Instant.now());
    }
    // Usage and the queue are cluster-wide whatever namespace is asked about: other namespaces' pods hold GPUs too.
    return new ClusterState(client.resources(TrainingJob.class).inAnyNamespace().list().getItems(), client.nodes().list().getItems(),
        client.pods().inAnyNamespace().list().getItems(), topologies(client),
        client.scheduling().v1().priorityClasses().list().getItems(), Instant.now());
  }

  private static List<ClusterTopology> topologies(KubernetesClient client) {
    try {
      return client.resources(ClusterTopology.class).list().getItems();
    } catch (KubernetesClientException e) {
      return List.of(); // no ClusterTopology CRD or no right to read it: views fall back to the default topology
    }
  }
}

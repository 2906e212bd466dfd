package dev.gangway.cli;

import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.observe.ClusterView;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What the plugin read from the API server in one go; every view is computed from it without further I/O. */
record ClusterState(List<TrainingJob> jobs, List<Node> nodes, List<Pod> pods, List<ClusterTopology> topologies,
                    List<PriorityClass> priorityClasses, Instant now) {

  ClusterView view() {
    return new ClusterView(topologies, nodes, priorityClasses);
  }

  Optional<TrainingJob> job(String namespace, String name) {
    return jobs.stream().filter(j -> j.getMetadata().getNamespace().equals(namespace) && j.getMetadata().getName().equals(name))
        .findFirst();
  }

  List<Pod> podsOf(TrainingJob job) {
    return pods.stream().filter(p -> job.getMetadata().getNamespace().equals(p.getMetadata().getNamespace())
        && p.getMetadata().getLabels() != null && job.getMetadata().getName().equals(p.getMetadata().getLabels().get("gangway.dev/job-name")))
        .toList();
  }
}

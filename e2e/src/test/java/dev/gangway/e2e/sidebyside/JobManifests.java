package dev.gangway.e2e.sidebyside;

import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import java.util.stream.Collectors;

/**
 * The same job written for each contender, asking each for the same thing: all ranks at once, the gang in one
 * {@value #PREFERRED_LEVEL} if it can be, and every TP group of {@code groupSize} consecutive ranks inside one
 * {@value #GROUP_LEVEL} (required). Each rank runs {@code runSeconds} on KWOK, then succeeds.
 */
public final class JobManifests {
  /** Label on every rank pod naming its stream job, whichever contender created the pod. */
  public static final String JOB_LABEL = "bench.gangway.dev/job";
  public static final String PREFERRED_LEVEL = "rack";
  public static final String GROUP_LEVEL = "nvlink-domain";
  /** Kueue's queue for the stream, in the Kueue contender's namespace. */
  public static final String LOCAL_QUEUE = "bench";
  public static final String CLUSTER_QUEUE = "bench";
  public static final String FLAVOR = "gpu";
  private static final String GPU = "nvidia.com/gpu";

  private final Topology topology;
  private final Integer waitForTighterSeconds;

  /** Jobs that leave spec.topology.waitForTighterSeconds to the operator's default. */
  public JobManifests(Topology topology) {
    this(topology, null);
  }

  /** @param waitForTighterSeconds Gangway's spec.topology.waitForTighterSeconds on every TrainingJob; null leaves it unset */
  public JobManifests(Topology topology, Integer waitForTighterSeconds) {
    this.topology = topology;
    this.waitForTighterSeconds = waitForTighterSeconds;
  }

  /** A Gangway TrainingJob: the operator creates and places the ranks. */
  public String trainingJob(ReplayJob job, String namespace) {
    String groups = job.grouped() ? "\n    groupSize: %d\n    groupLevel: %s".formatted(job.groupSize(), GROUP_LEVEL) : "";
    if (waitForTighterSeconds != null) {
      groups += "\n    waitForTighterSeconds: " + waitForTighterSeconds;
    }
    return """
        apiVersion: gangway.dev/v1alpha1
        kind: TrainingJob
        metadata:
          name: %s
          namespace: %s
        spec:
          replicas: %d
          gpusPerReplica: %d
          framework: generic
          topology:
            preferred: %s%s
          template:
            metadata:
              labels: {%s: %s}
              annotations: {gangway.dev/e2e-succeed-after: "%ds"}
            spec:
              containers:
              - name: trainer
                image: busybox
        """.formatted(job.name(), namespace, job.replicas(), job.gpusPerRank(), PREFERRED_LEVEL, groups, JOB_LABEL, job.name(),
        job.runSeconds());
  }

  /**
   * An Indexed Job for Kueue: queued by its label and created suspended (what Kueue's mutating webhook would do; the
   * webhooks are not registered here), with TAS's pod-template annotations, which take node labels, not level names.
   */
  public String kueueJob(ReplayJob job, String namespace) {
    StringBuilder tas = new StringBuilder("kueue.x-k8s.io/podset-preferred-topology: " + label(PREFERRED_LEVEL));
    if (job.grouped()) {
      tas.append(", kueue.x-k8s.io/podset-slice-required-topology: ").append(label(GROUP_LEVEL))
          .append(", kueue.x-k8s.io/podset-slice-size: \"").append(job.groupSize()).append('"');
    }
    return indexedJob(job, namespace, "\n    kueue.x-k8s.io/queue-name: " + LOCAL_QUEUE, true, ", " + tas);
  }

  /** The same Indexed Job with no queue and no topology: kube-scheduler places each pod on its own. */
  public String plainJob(ReplayJob job, String namespace) {
    return indexedJob(job, namespace, "", false, "");
  }

  private String indexedJob(ReplayJob job, String namespace, String labels, boolean suspend, String annotations) {
    return """
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: %s
          namespace: %s
          labels:
            %s: %s%s
        spec:
          suspend: %s
          completionMode: Indexed
          completions: %d
          parallelism: %d
          backoffLimit: 0
          template:
            metadata:
              labels: {%s: %s}
              annotations: {gangway.dev/e2e-succeed-after: "%ds"%s}
            spec:
              restartPolicy: Never
              containers:
              - name: trainer
                image: busybox
                resources:
                  requests: {%s: "%d"}
                  limits: {%s: "%d"}
        """.formatted(job.name(), namespace, JOB_LABEL, job.name(), labels, suspend, job.replicas(), job.replicas(), JOB_LABEL,
        job.name(), job.runSeconds(), annotations, GPU, job.gpusPerRank(), GPU, job.gpusPerRank());
  }

  /**
   * Kueue's side of the cluster: a Topology with Gangway's levels (node labels, outermost first, hostname last), a
   * ResourceFlavor of the nodes carrying {@code nodeLabel=nodeValue} bound to it, a ClusterQueue whose GPU quota is the
   * whole cluster (so TAS, not quota, decides), and the LocalQueue the jobs name.
   */
  public String kueueQueues(String topologyName, String nodeLabel, String nodeValue, long gpus, String namespace) {
    String levels = topology.levels().stream().map(l -> "  - nodeLabel: " + l.nodeLabel()).collect(Collectors.joining("\n"));
    return """
        apiVersion: kueue.x-k8s.io/v1beta2
        kind: Topology
        metadata:
          name: %s
        spec:
          levels:
        %s
        ---
        apiVersion: kueue.x-k8s.io/v1beta2
        kind: ResourceFlavor
        metadata:
          name: %s
        spec:
          nodeLabels: {%s: %s}
          topologyName: %s
        ---
        apiVersion: kueue.x-k8s.io/v1beta2
        kind: ClusterQueue
        metadata:
          name: %s
        spec:
          namespaceSelector: {}
          resourceGroups:
          - coveredResources: [%s]
            flavors:
            - name: %s
              resources:
              - name: %s
                nominalQuota: %d
        ---
        apiVersion: kueue.x-k8s.io/v1beta2
        kind: LocalQueue
        metadata:
          name: %s
          namespace: %s
        spec:
          clusterQueue: %s
        """.formatted(topologyName, levels, FLAVOR, nodeLabel, nodeValue, topologyName, CLUSTER_QUEUE, GPU, FLAVOR, GPU, gpus,
        LOCAL_QUEUE, namespace, CLUSTER_QUEUE);
  }

  private String label(String levelName) {
    return topology.level(levelName).map(Level::nodeLabel)
        .orElseThrow(() -> new IllegalArgumentException("the cluster's topology has no level " + levelName));
  }
}

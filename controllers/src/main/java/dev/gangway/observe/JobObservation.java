package dev.gangway.observe;

import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.checkpoint.CheckpointReport;
import dev.gangway.recovery.NodeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything one reconcile knows, read once before anything is decided: the job as stored, its pods,
 * the gang of the attempt that should run, what validation found, the checkpoint reports waiting for
 * it, and — only for a job that can still progress — the cluster.
 *
 * @param gang the pods of the attempt that should exist now (the next one once a restart's backoff passed)
 * @param problems what {@link SpecValidator} found; empty when the spec is valid
 * @param reports checkpoint reports for this job, from the channels and rank 0's termination message
 * @param cluster the cluster from the informer caches, or null when the job cannot progress (finished, suspended, invalid)
 * @param storedJobs every TrainingJob as stored (the placement queue is derived from them), read only when a gang decides
 * @param nodeStatus what is known of a node, by name (needs {@code cluster})
 * @param logTail the last log lines of a failed rank's pod, read only when a failure is classified
 * @param statusWritten when this replica last wrote the job's status, or null (none since it leads)
 */
public record JobObservation(TrainingJob job, List<Pod> pods, GangObservation gang, List<String> problems,
                             List<CheckpointReport> reports, ClusterView cluster, Supplier<List<TrainingJob>> storedJobs,
                             Function<String, NodeStatus> nodeStatus, Function<Pod, String> logTail, Instant statusWritten,
                             Instant now) {

  public String jobKey() {
    return job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
  }

  /** Whether the job may still fail, restart or be placed: only then is the cluster read. */
  public boolean mayProgress() {
    return cluster != null;
  }
}

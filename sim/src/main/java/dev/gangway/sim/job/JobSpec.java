package dev.gangway.sim.job;

/**
 * A training job as submitted.
 *
 * @param work milliseconds of training it needs at the best placement; {@link Long#MAX_VALUE} runs until the horizon
 * @param startup pods created and scheduled, images present, rendezvous and NCCL initialisation
 * @param checkpointWrite training stops this long per checkpoint
 * @param checkpointLoad reading the checkpoint on a restart
 * @param preferredLevel spec.topology.preferred, null for none
 */
public record JobSpec(String key, int replicas, int gpusPerRank, int priority, long submit, long work, long startup,
    long checkpointWrite, long checkpointLoad, String preferredLevel, boolean large) {

  public int gpus() {
    return replicas * gpusPerRank;
  }

  public boolean runsToHorizon() {
    return work == Long.MAX_VALUE;
  }
}

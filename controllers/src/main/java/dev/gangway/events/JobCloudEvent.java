package dev.gangway.events;

import dev.gangway.api.v1alpha1.TrainingJob;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a TrainingJob, for platform automation (the {@code job-events}
 * channel). Optional parts are null when they do not apply.
 *
 * @param uid metadata.uid of the job; makes event ids stable across operator restarts
 * @param rank and {@code node}: the rank concerned (rank-failed, placed)
 * @param checkpointStep and {@code checkpointPath}: the checkpoint concerned (restarting, resumed)
 */
public record JobCloudEvent(Type type, String namespace, String name, String uid, int attempt, Instant time, String reason,
                                String message, String node, Integer rank, Long checkpointStep, String checkpointPath) {

  /** Lifecycle steps, each a CloudEvents type {@code dev.gangway.trainingjob.<name>}. */
  public enum Type {
    Admitted("admitted"),
    Placed("placed"),
    Running("running"),
    RankFailed("rank-failed"),
    RestartedInPlace("restarted-in-place"),
    Restarting("restarting"),
    Resumed("resumed"),
    Succeeded("succeeded"),
    Failed("failed");

    private final String wireName;

    Type(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    public String cloudEventType() {
      return "dev.gangway.trainingjob." + wireName;
    }
  }

  public JobCloudEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(time, "time");
  }

  public static JobCloudEvent of(Type type, TrainingJob job, int attempt, Instant time) {
    return new JobCloudEvent(type, job.getMetadata().getNamespace(), job.getMetadata().getName(), job.getMetadata().getUid(),
        attempt, time, null, null, null, null, null, null);
  }

  public JobCloudEvent withReason(String reason, String message) {
    return new JobCloudEvent(type, namespace, name, uid, attempt, time, reason, message, node, rank, checkpointStep, checkpointPath);
  }

  public JobCloudEvent withRank(Integer rank, String node) {
    return new JobCloudEvent(type, namespace, name, uid, attempt, time, reason, message, node, rank, checkpointStep, checkpointPath);
  }

  public JobCloudEvent withCheckpoint(Long step, String path) {
    return new JobCloudEvent(type, namespace, name, uid, attempt, time, reason, message, node, rank, step, path);
  }
}

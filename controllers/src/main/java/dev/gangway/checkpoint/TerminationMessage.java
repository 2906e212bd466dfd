package dev.gangway.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.api.v1alpha1.TrainingJob;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads the checkpoint rank 0 names in its container termination message
 * ({@code /dev/termination-log}): {@code {"checkpoint":{"step":1200,"path":"/ckpt/step-1200","inPlaceRestarts":1}}}
 * ({@code inPlaceRestarts} optional, as in a report).
 * The second source of checkpoint reports, for jobs without a message bus. Anything else in the
 * message (plain text, logs under FallbackToLogsOnError, other keys) yields nothing: it is not an
 * error of the job.
 */
public final class TerminationMessage {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TerminationMessage() {
  }

  /** The checkpoint named in a termination message, and the in-place restarts it counted (0 when it did not say). */
  public record CheckpointMark(long step, String path, int inPlaceRestarts) {
    public CheckpointMark(long step, String path) {
      this(step, path, 0);
    }
  }

  public static Optional<CheckpointMark> checkpoint(String message) {
    if (message == null || message.isBlank()) {
      return Optional.empty();
    }
    try {
      JsonNode checkpoint = JSON.readTree(message.strip()).path("checkpoint");
      JsonNode step = checkpoint.path("step");
      JsonNode path = checkpoint.path("path");
      if (!step.canConvertToExactIntegral() || !step.canConvertToLong() || step.asLong() < 0
          || !path.isTextual() || path.asText().isBlank()) {
        return Optional.empty();
      }
      // A count that is not a small non-negative integer is dropped, not the checkpoint: the checkpoint is what matters.
      JsonNode restarts = checkpoint.path("inPlaceRestarts");
      int inPlaceRestarts = restarts.canConvertToExactIntegral() && restarts.canConvertToInt() && restarts.asInt() > 0 ? restarts.asInt() : 0;
      return Optional.of(new CheckpointMark(step.asLong(), path.asText(), inPlaceRestarts));
    } catch (Exception e) {
      // Not JSON (or truncated by the kubelet's 4 KiB limit): no checkpoint named.
      return Optional.empty();
    }
  }

  /**
   * The report the message stands for, to judge with {@link CheckpointLedger} like any other.
   *
   * @param attempt the attempt of the pod that wrote the message
   * @param finishedAt when the container terminated
   */
  public static Optional<CheckpointReport> report(String message, TrainingJob job, int attempt, Instant finishedAt) {
    return checkpoint(message).map(mark -> new CheckpointReport(job.getMetadata().getNamespace(), job.getMetadata().getName(),
        job.getMetadata().getUid(), attempt, mark.step(), mark.path(), finishedAt, mark.inPlaceRestarts(), null));
  }
}

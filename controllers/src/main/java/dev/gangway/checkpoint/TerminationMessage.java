package dev.gangway.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.api.v1alpha1.TrainingJob;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads the checkpoint rank 0 names in its container termination message
 * ({@code /dev/termination-log}): {@code {"checkpoint":{"step":1200,"path":"/ckpt/step-1200","inPlaceRestarts":1,
 * "inPlaceRestartTime":"2026-11-02T09:41:07Z"}}} ({@code inPlaceRestarts} and {@code inPlaceRestartTime} optional, as in
 * a report).
 * The second source of checkpoint reports, for jobs without a message bus. Anything else in the
 * message (plain text, logs under FallbackToLogsOnError, other keys) yields nothing: it is not an
 * error of the job.
 */
public final class TerminationMessage {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TerminationMessage() {
  }

  /**
   * The checkpoint named in a termination message, the in-place restarts it counted (0 when it did not say) and when the
   * last of them started the workers again (null when it did not say, or counted none).
   */
  public record CheckpointMark(long step, String path, int inPlaceRestarts, Instant inPlaceRestartTime) {
    public CheckpointMark {
      if (inPlaceRestarts == 0) {
        inPlaceRestartTime = null; // as in a report: a time of no restart dates nothing
      }
    }

    public CheckpointMark(long step, String path, int inPlaceRestarts) {
      this(step, path, inPlaceRestarts, null);
    }

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
      return Optional.of(new CheckpointMark(step.asLong(), path.asText(), inPlaceRestarts, restartTime(checkpoint.path("inPlaceRestartTime"))));
    } catch (Exception e) {
      // Not JSON (or truncated by the kubelet's 4 KiB limit): no checkpoint named.
      return Optional.empty();
    }
  }

  /**
   * When the restarted workers started, as a report's {@code inPlaceRestartTime}; a value that is not an RFC 3339 UTC time
   * is dropped like a bad count (the restart then costs nothing in goodput, as without the field).
   */
  private static Instant restartTime(JsonNode time) {
    if (!time.isTextual()) {
      return null;
    }
    try {
      return Instant.parse(time.asText());
    } catch (DateTimeParseException e) {
      return null;
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
        job.getMetadata().getUid(), attempt, mark.step(), mark.path(), finishedAt, mark.inPlaceRestarts(), mark.inPlaceRestartTime()));
  }
}

package dev.gangway.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gangway.checkin.SignalJson;
import java.time.Instant;
import java.util.Objects;

/**
 * "Attempt {@code attempt} of job {@code namespace/name} (uid {@code uid}) finished writing the
 * checkpoint of step {@code step} at {@code path}". Sent by the training code, only after the save
 * is complete (see docs/checkpoint-contract.md).
 *
 * @param time when the save completed; null when the sender did not say
 * @param inPlaceRestarts how many times the attempt's training processes had been restarted inside their pods when the
 *     checkpoint was written (the highest TORCHELASTIC_RESTART_COUNT of the ranks: torchrun counts per node); 0 when
 *     the sender did not say
 * @param inPlaceRestartTime when the processes were last restarted in place (the restarted workers' start); null when
 *     the sender did not say or counted no restart
 */
public record CheckpointReport(String namespace, String name, String uid, int attempt, long step, String path, Instant time,
                               int inPlaceRestarts, Instant inPlaceRestartTime) {
  /** Longer than any real path (Linux PATH_MAX, S3's 1,024-byte keys); it becomes the job's status and every rank's env. */
  public static final int MAX_PATH_LENGTH = 4096;
  /** A Kubernetes uid is 36 characters; room for other forms, not for megabytes. */
  public static final int MAX_UID_LENGTH = 128;

  public CheckpointReport {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(path, "path");
    if (inPlaceRestarts < 0) {
      throw new IllegalArgumentException("inPlaceRestarts must be at least 0, was " + inPlaceRestarts);
    }
    if (inPlaceRestarts == 0) {
      inPlaceRestartTime = null; // a time of no restart dates nothing
    }
  }

  /** A report that counts no in-place restart. */
  public CheckpointReport(String namespace, String name, String uid, int attempt, long step, String path, Instant time) {
    this(namespace, name, uid, attempt, step, path, time, 0, null);
  }

  public ResourceRef job() {
    return new ResourceRef(namespace, name);
  }

  /** The same report, stamped with {@code time} when it carries none. */
  public CheckpointReport timedAt(Instant fallback) {
    return time != null ? this : new CheckpointReport(namespace, name, uid, attempt, step, path, fallback, inPlaceRestarts,
        inPlaceRestartTime);
  }

  /**
   * Reads {@code {"namespace":"ml","name":"llm","uid":"…","attempt":2,"step":1200,"path":"/ckpt/step-1200",
   * "time":"2026-11-02T10:00:00Z","inPlaceRestarts":1,"inPlaceRestartTime":"2026-11-02T09:41:07Z"}}; {@code time},
   * {@code inPlaceRestarts} and {@code inPlaceRestartTime} are optional, other fields are ignored.
   *
   * @throws IllegalArgumentException naming the field that is missing or wrong
   */
  public static CheckpointReport fromJson(String json) {
    JsonNode root = SignalJson.object(json, "namespace, name, uid, attempt, step and path");
    long attempt = SignalJson.integer(root, "attempt", 1);
    if (attempt > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("field 'attempt' is too large: " + attempt);
    }
    JsonNode time = root.get("time");
    long inPlaceRestarts = root.hasNonNull("inPlaceRestarts") ? SignalJson.integer(root, "inPlaceRestarts", 0) : 0;
    if (inPlaceRestarts > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("field 'inPlaceRestarts' is too large: " + inPlaceRestarts);
    }
    JsonNode restartTime = root.get("inPlaceRestartTime");
    return new CheckpointReport(SignalJson.objectName(root, "namespace"), SignalJson.objectName(root, "name"), SignalJson.text(root, "uid", MAX_UID_LENGTH),
        (int) attempt, SignalJson.integer(root, "step", 0), SignalJson.text(root, "path", MAX_PATH_LENGTH),
        time == null || time.isNull() ? null : SignalJson.time("time", time.asText()), (int) inPlaceRestarts,
        restartTime == null || restartTime.isNull() ? null : SignalJson.time("inPlaceRestartTime", restartTime.asText()));
  }
}

package dev.gangway.e2e.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.e2e.ClusterUnderTest;
import dev.gangway.e2e.Command;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns the JSON of {@code kubectl get trainingjobs,pods,nodes -A -o json} (one List of mixed kinds)
 * into a {@link Snapshot}. Pods without Gangway's job label are not ranks and are left out.
 */
public final class SnapshotReader {
  static final String LABEL_JOB = "gangway.dev/job-name";
  static final String LABEL_RANK = "gangway.dev/rank";
  static final String LABEL_ATTEMPT = "gangway.dev/attempt";
  static final String RESERVED_NODE = "gangway.dev/reserved-node";
  private static final String GPU = "nvidia.com/gpu";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SnapshotReader() {
  }

  /**
   * The cluster now, as one {@code kubectl get trainingjobs,pods,nodes -A -o json}; empty when kubectl failed or its
   * answer was no JSON (a control plane restarting): the next look counts.
   */
  public static Optional<Snapshot> take(ClusterUnderTest cluster) {
    Instant at = Instant.now();
    Command.Result r = cluster.kubectl("get", "trainingjobs.gangway.dev,pods,nodes", "-A", "-o", "json");
    if (r.exitCode() != 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(read(JSON.readTree(r.stdout()), at));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public static Snapshot read(JsonNode list, Instant at) {
    List<Snapshot.JobFact> jobs = new ArrayList<>();
    List<Snapshot.PodFact> pods = new ArrayList<>();
    List<Snapshot.NodeFact> nodes = new ArrayList<>();
    for (JsonNode item : list.path("items")) {
      switch (item.path("kind").asText()) {
        case "TrainingJob" -> jobs.add(job(item));
        case "Pod" -> {
          if (item.path("metadata").path("labels").has(LABEL_JOB)) {
            pods.add(pod(item));
          }
        }
        case "Node" -> nodes.add(node(item));
        default -> {
        }
      }
    }
    return new Snapshot(at, jobs, pods, nodes);
  }

  static Snapshot.JobFact job(JsonNode item) {
    JsonNode meta = item.path("metadata");
    JsonNode status = item.path("status");
    JsonNode placedCondition = condition(status, "Placed");
    String placed = placedCondition == null ? null : placedCondition.path("status").asText() + "/" + placedCondition.path("reason").asText();
    JsonNode step = status.path("lastCheckpoint").path("step");
    return new Snapshot.JobFact(meta.path("namespace").asText(), meta.path("name").asText(), meta.path("uid").asText(),
        status.path("phase").asText(""), status.path("attempt").asInt(0), status.path("restarts").asInt(0),
        status.path("infrastructureRestarts").asInt(0), step.isNumber() ? step.asLong() : null, placed);
  }

  static Snapshot.PodFact pod(JsonNode item) {
    JsonNode meta = item.path("metadata");
    JsonNode labels = meta.path("labels");
    String owner = null;
    for (JsonNode ref : meta.path("ownerReferences")) {
      if ("TrainingJob".equals(ref.path("kind").asText())) {
        owner = ref.path("uid").asText();
      }
    }
    int gpus = 0;
    for (JsonNode c : item.path("spec").path("containers")) {
      JsonNode limit = c.path("resources").path("limits").path(GPU);
      gpus += limit.isMissingNode() ? c.path("resources").path("requests").path(GPU).asInt(0) : limit.asInt(0);
    }
    String nodeName = item.path("spec").path("nodeName").asText(null);
    String reserved = meta.path("annotations").path(RESERVED_NODE).asText(null);
    return new Snapshot.PodFact(meta.path("namespace").asText(), meta.path("name").asText(), labels.path(LABEL_JOB).asText(), owner,
        labels.path(LABEL_RANK).asInt(-1), labels.path(LABEL_ATTEMPT).asInt(-1), item.path("status").path("phase").asText(""),
        meta.hasNonNull("deletionTimestamp"), nodeName == null || nodeName.isEmpty() ? null : nodeName, reserved, gpus);
  }

  static Snapshot.NodeFact node(JsonNode item) {
    JsonNode ready = condition(item.path("status"), "Ready");
    return new Snapshot.NodeFact(item.path("metadata").path("name").asText(),
        item.path("status").path("allocatable").path(GPU).asInt(0),
        ready != null && "True".equals(ready.path("status").asText()));
  }

  private static JsonNode condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c;
      }
    }
    return null;
  }
}

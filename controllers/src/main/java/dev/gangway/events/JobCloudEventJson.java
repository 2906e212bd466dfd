package dev.gangway.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * Renders a {@link JobCloudEvent} as a CloudEvents 1.0 event in structured JSON mode: the
 * attributes and the data in one JSON object, so any transport (Kafka, HTTP, a log) carries it
 * unchanged. Pure.
 */
public final class JobCloudEventJson {
  public static final String SPEC_VERSION = "1.0";
  /** Content type of a structured-mode event, for transports that carry one (Kafka header, HTTP). */
  public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

  private static final ObjectMapper JSON = new ObjectMapper();

  private JobCloudEventJson() {
  }

  public static String toJson(JobCloudEvent e) {
    ObjectNode event = JSON.createObjectNode();
    event.put("specversion", SPEC_VERSION);
    event.put("id", id(e));
    event.put("source", source(e.namespace(), e.name()));
    event.put("type", e.type().cloudEventType());
    event.put("subject", subject(e));
    event.put("time", e.time().toString());
    event.put("datacontenttype", "application/json");
    // CloudEvents partitioning extension: keeps one job's events in order on partitioned transports.
    event.put("partitionkey", partitionKey(e));
    event.set("data", data(e));
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot render event for " + e.namespace() + "/" + e.name(), ex);
    }
  }

  /** The job as a URI reference, the path of the TrainingJob in the Kubernetes API. */
  public static String source(String namespace, String name) {
    return "/apis/gangway.dev/v1alpha1/namespaces/" + namespace + "/trainingjobs/" + name;
  }

  public static String partitionKey(JobCloudEvent e) {
    return e.namespace() + "/" + e.name();
  }

  /**
   * Stable for the same happening, so that a consumer can drop the duplicate an operator restart
   * may send (source + id identify an event); random when the job's uid is unknown.
   */
  static String id(JobCloudEvent e) {
    if (e.uid() == null) {
      return UUID.randomUUID().toString();
    }
    return e.uid() + "." + e.attempt() + "." + e.type().wireName() + (e.rank() == null ? "" : ".r" + e.rank());
  }

  private static String subject(JobCloudEvent e) {
    return "attempts/" + e.attempt() + (e.rank() == null ? "" : "/ranks/" + e.rank());
  }

  private static ObjectNode data(JobCloudEvent e) {
    ObjectNode data = JSON.createObjectNode();
    ObjectNode job = data.putObject("job");
    job.put("namespace", e.namespace());
    job.put("name", e.name());
    if (e.uid() != null) job.put("uid", e.uid());
    data.put("attempt", e.attempt());
    if (e.reason() != null) data.put("reason", e.reason());
    if (e.message() != null) data.put("message", e.message());
    if (e.node() != null) data.put("node", e.node());
    if (e.rank() != null) data.put("rank", e.rank());
    if (e.checkpointPath() != null || e.checkpointStep() != null) {
      ObjectNode checkpoint = data.putObject("checkpoint");
      if (e.checkpointStep() != null) checkpoint.put("step", e.checkpointStep());
      if (e.checkpointPath() != null) checkpoint.put("path", e.checkpointPath());
    }
    return data;
  }
}

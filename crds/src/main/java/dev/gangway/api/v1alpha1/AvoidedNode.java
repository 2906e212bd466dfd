package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A node this job's placement keeps off for a while because a rank placed there never bound. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AvoidedNode {

  @JsonPropertyDescription("Name of the node.")
  private String node;

  @JsonPropertyDescription("Why: BindTimeout (kube-scheduler did not bind the rank there, e.g. for a constraint Gangway "
      + "cannot see such as pod anti-affinity, a volume's node affinity or an extended resource) or StuckTerminating (a pod "
      + "of an earlier attempt never left the node, e.g. because the node was lost).")
  private String reason;

  @JsonPropertyDescription("What kube-scheduler or the node reported, for a person to act on.")
  private String message;

  @JsonPropertyDescription("Until when the job's placement avoids the node (RFC 3339); a later failure there renews it.")
  private String until;

  public AvoidedNode() {
  }

  public AvoidedNode(String node, String reason, String message, String until) {
    this.node = node;
    this.reason = reason;
    this.message = message;
    this.until = until;
  }

  public String getNode() { return node; }
  public void setNode(String node) { this.node = node; }
  public String getReason() { return reason; }
  public void setReason(String reason) { this.reason = reason; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
  public String getUntil() { return until; }
  public void setUntil(String until) { this.until = until; }

  @Override
  public boolean equals(Object o) {
    return o instanceof AvoidedNode a && Objects.equals(node, a.node) && Objects.equals(reason, a.reason)
        && Objects.equals(message, a.message) && Objects.equals(until, a.until);
  }

  @Override
  public int hashCode() {
    return Objects.hash(node, reason, message, until);
  }
}

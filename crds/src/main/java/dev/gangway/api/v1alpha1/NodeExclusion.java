package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * A node this job is kept off for a while because one of its ranks failed there for a cause that is
 * the node's (spec.failurePolicy.excludeFailedNodes). Shaped like {@link AvoidedNode}: the node, why,
 * and until when.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeExclusion {

  @JsonPropertyDescription("Name of the node.")
  private String node;

  @JsonPropertyDescription("The failure's cause, as in status.restartHistory: NodeLost (deleted, or NotReady past the grace "
      + "period), NodeUnhealthy (a fatal health signal such as an XID or ECC error) or NodeNotReady (killed while the node went down).")
  private String cause;

  @JsonPropertyDescription("The attempt whose rank failed there.")
  private Integer attempt;

  @JsonPropertyDescription("When the rank failed there (RFC 3339).")
  private String time;

  @JsonPropertyDescription("Until when the job's placement keeps off the node (RFC 3339): "
      + "spec.failurePolicy.nodeExclusionSeconds after Gangway noticed the failure; a later failure there renews it.")
  private String until;

  public NodeExclusion() {
  }

  public NodeExclusion(String node, String cause, Integer attempt, String time, String until) {
    this.node = node;
    this.cause = cause;
    this.attempt = attempt;
    this.time = time;
    this.until = until;
  }

  public String getNode() { return node; }
  public void setNode(String node) { this.node = node; }
  public String getCause() { return cause; }
  public void setCause(String cause) { this.cause = cause; }
  public Integer getAttempt() { return attempt; }
  public void setAttempt(Integer attempt) { this.attempt = attempt; }
  public String getTime() { return time; }
  public void setTime(String time) { this.time = time; }
  public String getUntil() { return until; }
  public void setUntil(String until) { this.until = until; }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeExclusion e && Objects.equals(node, e.node) && Objects.equals(cause, e.cause)
        && Objects.equals(attempt, e.attempt) && Objects.equals(time, e.time) && Objects.equals(until, e.until);
  }

  @Override
  public int hashCode() {
    return Objects.hash(node, cause, attempt, time, until);
  }
}

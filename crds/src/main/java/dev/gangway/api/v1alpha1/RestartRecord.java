package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One gang restart, as kept in status.restartHistory. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestartRecord {

  @JsonPropertyDescription("When the failure that caused the restart happened (RFC 3339).")
  private String time;

  @JsonPropertyDescription("When Gangway noticed the failure and decided the restart (RFC 3339).")
  private String detectedTime;

  @JsonPropertyDescription("How Gangway classified the failure, e.g. NodeLost, NodeUnhealthy, PodDisrupted, NodeNotReady, "
      + "OOMKilled or RankFailed.")
  private String cause;

  @JsonPropertyDescription("Termination or pod reason as Kubernetes reported it, e.g. OOMKilled, Error, Evicted.")
  private String reason;

  @JsonPropertyDescription("Rank whose failure caused the restart.")
  private Integer rank;

  @JsonPropertyDescription("Node the failed rank ran on.")
  private String node;

  @JsonPropertyDescription("Exit code of the failed rank's main container, when it exited.")
  private Integer exitCode;

  @JsonPropertyDescription("Attempt that failed.")
  private Integer attempt;

  @JsonPropertyDescription("Checkpoint path the next attempt resumes from; unset when it starts from scratch.")
  private String resumedFrom;

  @JsonPropertyDescription("Seconds from the failure until every rank of the next attempt was running; unset until then.")
  private Long recoverySeconds;

  public String getTime() { return time; }
  public void setTime(String time) { this.time = time; }
  public String getCause() { return cause; }
  public void setCause(String cause) { this.cause = cause; }
  public String getReason() { return reason; }
  public void setReason(String reason) { this.reason = reason; }
  public Integer getRank() { return rank; }
  public void setRank(Integer rank) { this.rank = rank; }
  public String getNode() { return node; }
  public void setNode(String node) { this.node = node; }
  public Integer getExitCode() { return exitCode; }
  public void setExitCode(Integer exitCode) { this.exitCode = exitCode; }
  public Integer getAttempt() { return attempt; }
  public void setAttempt(Integer attempt) { this.attempt = attempt; }
  public String getResumedFrom() { return resumedFrom; }
  public void setResumedFrom(String resumedFrom) { this.resumedFrom = resumedFrom; }
  public String getDetectedTime() { return detectedTime; }
  public void setDetectedTime(String detectedTime) { this.detectedTime = detectedTime; }
  public Long getRecoverySeconds() { return recoverySeconds; }
  public void setRecoverySeconds(Long recoverySeconds) { this.recoverySeconds = recoverySeconds; }

  @Override
  public boolean equals(Object o) {
    return o instanceof RestartRecord r && Objects.equals(time, r.time) && Objects.equals(cause, r.cause)
        && Objects.equals(reason, r.reason) && Objects.equals(rank, r.rank) && Objects.equals(node, r.node)
        && Objects.equals(exitCode, r.exitCode) && Objects.equals(attempt, r.attempt)
        && Objects.equals(resumedFrom, r.resumedFrom) && Objects.equals(recoverySeconds, r.recoverySeconds)
        && Objects.equals(detectedTime, r.detectedTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(time, cause, reason, rank, node, exitCode, attempt, resumedFrom, recoverySeconds);
  }
}

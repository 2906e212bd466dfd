package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** How long the last recovery took, split the way goodput is lost. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RecoveryTimingStatus {

  @JsonPropertyDescription("Seconds from the last failure until Gangway noticed it.")
  private Long lastDetectionSeconds;

  @JsonPropertyDescription("Seconds from the last failure until every rank of the next attempt was running.")
  private Long lastRecoverySeconds;

  @JsonPropertyDescription("Seconds of training lost to the last failure: from the last complete checkpoint (or the attempt's "
      + "start, if later) to the failure.")
  private Long lastLostWorkSeconds;

  public Long getLastDetectionSeconds() { return lastDetectionSeconds; }
  public void setLastDetectionSeconds(Long lastDetectionSeconds) { this.lastDetectionSeconds = lastDetectionSeconds; }
  public Long getLastRecoverySeconds() { return lastRecoverySeconds; }
  public void setLastRecoverySeconds(Long lastRecoverySeconds) { this.lastRecoverySeconds = lastRecoverySeconds; }
  public Long getLastLostWorkSeconds() { return lastLostWorkSeconds; }
  public void setLastLostWorkSeconds(Long lastLostWorkSeconds) { this.lastLostWorkSeconds = lastLostWorkSeconds; }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecoveryTimingStatus t && Objects.equals(lastDetectionSeconds, t.lastDetectionSeconds)
        && Objects.equals(lastRecoverySeconds, t.lastRecoverySeconds) && Objects.equals(lastLostWorkSeconds, t.lastLostWorkSeconds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(lastDetectionSeconds, lastRecoverySeconds, lastLostWorkSeconds);
  }
}

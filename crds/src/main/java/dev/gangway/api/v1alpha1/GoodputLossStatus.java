package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** GPU-seconds a job held without useful training, by cause; the same causes the goodput simulator (sim/) reports. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GoodputLossStatus {

  @JsonPropertyDescription("Work since the last checkpoint: training from an attempt's last complete checkpoint (or its start) "
      + "to its failure, or to a suspension or a terminal failure, which the next attempt redoes.")
  private Long lostWork;

  @JsonPropertyDescription("Detection: from a failure until Gangway noticed it and decided the restart.")
  private Long detection;

  @JsonPropertyDescription("Restart and re-placement: teardown, backoff, placing the gang again and starting its ranks, and the "
      + "first start after the gang was first placed.")
  private Long restart;

  @JsonPropertyDescription("Waiting for capacity: a restarting gang that could not be placed for lack of room (condition Placed "
      + "False with a waiting reason such as InsufficientCapacity, QueuedBehind or Unschedulable).")
  private Long waitingForCapacity;

  public Long getLostWork() { return lostWork; }
  public void setLostWork(Long lostWork) { this.lostWork = lostWork; }
  public Long getDetection() { return detection; }
  public void setDetection(Long detection) { this.detection = detection; }
  public Long getRestart() { return restart; }
  public void setRestart(Long restart) { this.restart = restart; }
  public Long getWaitingForCapacity() { return waitingForCapacity; }
  public void setWaitingForCapacity(Long waitingForCapacity) { this.waitingForCapacity = waitingForCapacity; }

  @Override
  public boolean equals(Object o) {
    return o instanceof GoodputLossStatus l && Objects.equals(lostWork, l.lostWork) && Objects.equals(detection, l.detection)
        && Objects.equals(restart, l.restart) && Objects.equals(waitingForCapacity, l.waitingForCapacity);
  }

  @Override
  public int hashCode() {
    return Objects.hash(lostWork, detection, restart, waitingForCapacity);
  }
}

package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointStatus {

  @JsonPropertyDescription("Training step of the checkpoint.")
  private Long step;

  @JsonPropertyDescription("Path of the checkpoint, as the training code reported it; exported as GANGWAY_RESUME_FROM on restart.")
  private String path;

  @JsonPropertyDescription("When the checkpoint was reported complete (RFC 3339).")
  private String time;

  @JsonPropertyDescription("Attempt that wrote the checkpoint.")
  private Integer attempt;

  @JsonPropertyDescription("How many times the attempt's training processes had been restarted inside their pods (torchrun's "
      + "TORCHELASTIC_RESTART_COUNT, the highest of the ranks, under spec.failurePolicy.inPlaceRestarts) when the checkpoint was "
      + "reported; unset for none.")
  private Integer inPlaceRestarts;

  @JsonPropertyDescription("When the training processes were last restarted inside their pods, as the report said (RFC 3339; the "
      + "restarted workers' start). The training between the checkpoint they resumed from and this time was lost, and "
      + "status.goodput counts it so; unset when the report did not say.")
  private String inPlaceRestartTime;

  @JsonPropertyDescription("Set with inPlaceRestartTime: the time of the checkpoint the restarted processes resumed from (the "
      + "attempt's last one reported before the restart, RFC 3339); unset when the attempt had none, so they started over.")
  private String resumedFromTime;

  public Long getStep() { return step; }
  public void setStep(Long step) { this.step = step; }
  public String getPath() { return path; }
  public void setPath(String path) { this.path = path; }
  public String getTime() { return time; }
  public void setTime(String time) { this.time = time; }
  public Integer getAttempt() { return attempt; }
  public void setAttempt(Integer attempt) { this.attempt = attempt; }
  public Integer getInPlaceRestarts() { return inPlaceRestarts; }
  public void setInPlaceRestarts(Integer inPlaceRestarts) { this.inPlaceRestarts = inPlaceRestarts; }
  public String getInPlaceRestartTime() { return inPlaceRestartTime; }
  public void setInPlaceRestartTime(String inPlaceRestartTime) { this.inPlaceRestartTime = inPlaceRestartTime; }
  public String getResumedFromTime() { return resumedFromTime; }
  public void setResumedFromTime(String resumedFromTime) { this.resumedFromTime = resumedFromTime; }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckpointStatus c && Objects.equals(step, c.step) && Objects.equals(path, c.path)
        && Objects.equals(time, c.time) && Objects.equals(attempt, c.attempt)
        && Objects.equals(inPlaceRestarts, c.inPlaceRestarts) && Objects.equals(inPlaceRestartTime, c.inPlaceRestartTime)
        && Objects.equals(resumedFromTime, c.resumedFromTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(step, path, time, attempt, inPlaceRestarts, inPlaceRestartTime, resumedFromTime);
  }
}

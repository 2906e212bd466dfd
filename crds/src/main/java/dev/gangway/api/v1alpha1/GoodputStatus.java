package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * Of the GPU time the job has held, how much trained: the job's goodput so far. GPU-seconds are the
 * job's GPUs (status.gpus) times seconds. Counting starts when the gang is first placed and stops when
 * the job finishes; time suspended is not counted. heldGpuSeconds is exactly usefulGpuSeconds plus every
 * field of lostGpuSeconds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GoodputStatus {

  @JsonPropertyDescription("usefulGpuSeconds over heldGpuSeconds, between 0 and 1; unset until the job has held GPUs.")
  private Double ratio;

  @JsonPropertyDescription("GPU-seconds held since the gang was first placed: useful training plus every loss.")
  private Long heldGpuSeconds;

  @JsonPropertyDescription("GPU-seconds of training kept: each ended attempt's running time up to its last complete checkpoint, "
      + "plus the running attempt's whole running time so far (sinceCheckpointGpuSeconds of it are not saved yet).")
  private Long usefulGpuSeconds;

  @JsonPropertyDescription("Part of usefulGpuSeconds trained since the running attempt's last complete checkpoint (or its start): "
      + "lost if the attempt fails before its next checkpoint.")
  private Long sinceCheckpointGpuSeconds;

  @JsonPropertyDescription("GPU-seconds held without useful training, by cause.")
  private GoodputLossStatus lostGpuSeconds;

  @JsonPropertyDescription("When these figures were computed (RFC 3339). Gangway refreshes them at every status change and about "
      + "once a minute while the job holds GPUs.")
  private String updatedTime;

  public Double getRatio() { return ratio; }
  public void setRatio(Double ratio) { this.ratio = ratio; }
  public Long getHeldGpuSeconds() { return heldGpuSeconds; }
  public void setHeldGpuSeconds(Long heldGpuSeconds) { this.heldGpuSeconds = heldGpuSeconds; }
  public Long getUsefulGpuSeconds() { return usefulGpuSeconds; }
  public void setUsefulGpuSeconds(Long usefulGpuSeconds) { this.usefulGpuSeconds = usefulGpuSeconds; }
  public Long getSinceCheckpointGpuSeconds() { return sinceCheckpointGpuSeconds; }
  public void setSinceCheckpointGpuSeconds(Long sinceCheckpointGpuSeconds) { this.sinceCheckpointGpuSeconds = sinceCheckpointGpuSeconds; }
  public GoodputLossStatus getLostGpuSeconds() { return lostGpuSeconds; }
  public void setLostGpuSeconds(GoodputLossStatus lostGpuSeconds) { this.lostGpuSeconds = lostGpuSeconds; }
  public String getUpdatedTime() { return updatedTime; }
  public void setUpdatedTime(String updatedTime) { this.updatedTime = updatedTime; }

  @Override
  public boolean equals(Object o) {
    return o instanceof GoodputStatus g && Objects.equals(ratio, g.ratio) && Objects.equals(heldGpuSeconds, g.heldGpuSeconds)
        && Objects.equals(usefulGpuSeconds, g.usefulGpuSeconds) && Objects.equals(sinceCheckpointGpuSeconds, g.sinceCheckpointGpuSeconds)
        && Objects.equals(lostGpuSeconds, g.lostGpuSeconds) && Objects.equals(updatedTime, g.updatedTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ratio, heldGpuSeconds, usefulGpuSeconds, sinceCheckpointGpuSeconds, lostGpuSeconds, updatedTime);
  }
}

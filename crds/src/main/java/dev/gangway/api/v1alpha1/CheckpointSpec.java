package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.claimName) != has(self.volumeName)",
    message = "spec.checkpoint needs exactly one of claimName (a PersistentVolumeClaim Gangway mounts) or volumeName (a volume already in spec.template.spec.volumes)")
public class CheckpointSpec {

  @JsonPropertyDescription("PersistentVolumeClaim that holds the checkpoints; Gangway adds it as a volume and mounts it at "
      + "mountPath in every container. It must be readable and writable by all ranks (ReadWriteMany) for multi-node jobs.")
  private String claimName;

  @JsonPropertyDescription("Name of a volume already declared in spec.template.spec.volumes to mount at mountPath instead.")
  private String volumeName;

  @Default("/checkpoints")
  @Pattern("^/.*")
  @JsonPropertyDescription("Absolute path where the checkpoint volume is mounted; exported as GANGWAY_CHECKPOINT_DIR. Default /checkpoints.")
  private String mountPath = "/checkpoints";

  public String getClaimName() { return claimName; }
  public void setClaimName(String claimName) { this.claimName = claimName; }
  public String getVolumeName() { return volumeName; }
  public void setVolumeName(String volumeName) { this.volumeName = volumeName; }
  public String getMountPath() { return mountPath; }
  public void setMountPath(String mountPath) { this.mountPath = mountPath; }
}

package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.onExitCodes) || has(self.onReasons) || has(self.onPodConditions) || has(self.onNodeFailure)",
    message = "each spec.failurePolicy.rules entry needs at least one matcher: onExitCodes, onReasons, onPodConditions or onNodeFailure")
public class FailurePolicyRule {

  @Required
  @JsonPropertyDescription("Action when this rule matches: RestartFromCheckpoint, FailJob or Ignore.")
  private FailureAction action;

  @JsonPropertyDescription("Matches a rank whose main container exited with one of these codes (or, with operator NotIn, "
      + "with none of them).")
  private ExitCodeMatcher onExitCodes;

  @JsonPropertyDescription("Matches container termination reasons, e.g. OOMKilled, Error, ContainerCannotRun.")
  private List<String> onReasons;

  @JsonPropertyDescription("Matches pod condition types that are True on the failed pod, e.g. DisruptionTarget (eviction or preemption).")
  private List<String> onPodConditions;

  @JsonPropertyDescription("Matches the loss of a rank's node: NotReady past the grace period, deleted, or reported unhealthy.")
  private Boolean onNodeFailure;

  public FailureAction getAction() { return action; }
  public void setAction(FailureAction action) { this.action = action; }
  public ExitCodeMatcher getOnExitCodes() { return onExitCodes; }
  public void setOnExitCodes(ExitCodeMatcher onExitCodes) { this.onExitCodes = onExitCodes; }
  public List<String> getOnReasons() { return onReasons; }
  public void setOnReasons(List<String> onReasons) { this.onReasons = onReasons; }
  public List<String> getOnPodConditions() { return onPodConditions; }
  public void setOnPodConditions(List<String> onPodConditions) { this.onPodConditions = onPodConditions; }
  public Boolean getOnNodeFailure() { return onNodeFailure; }
  public void setOnNodeFailure(Boolean onNodeFailure) { this.onNodeFailure = onNodeFailure; }
}

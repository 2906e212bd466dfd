package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailurePolicy {

  @Min(0)
  @Default("3")
  @JsonPropertyDescription("Gang restarts allowed for failures counted against the job (user-code errors). When exhausted the "
      + "job fails with reason RestartLimitExceeded. Default 3; 0 fails on the first such failure.")
  private Integer maxRestarts = 3;

  @JsonPropertyDescription("Exponential backoff between gang restarts.")
  private Backoff backoff;

  @JsonPropertyDescription("Rules matched in order against a failure; the first match decides the action. Failures no rule "
      + "matches follow the documented defaults (infrastructure causes restart, user-code errors count against maxRestarts).")
  private List<FailurePolicyRule> rules = new ArrayList<>();

  public Integer getMaxRestarts() { return maxRestarts; }
  public void setMaxRestarts(Integer maxRestarts) { this.maxRestarts = maxRestarts; }
  public Backoff getBackoff() { return backoff; }
  public void setBackoff(Backoff backoff) { this.backoff = backoff; }
  public List<FailurePolicyRule> getRules() { return rules; }
  public void setRules(List<FailurePolicyRule> rules) { this.rules = rules; }
}

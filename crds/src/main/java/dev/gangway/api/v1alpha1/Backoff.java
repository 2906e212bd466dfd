package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.initialSeconds) || !has(self.maxSeconds) || self.initialSeconds <= self.maxSeconds",
    message = "spec.failurePolicy.backoff.initialSeconds must not exceed maxSeconds")
public class Backoff {

  public static final int DEFAULT_INITIAL_SECONDS = 10;
  public static final int DEFAULT_MAX_SECONDS = 300;

  @Min(0)
  @JsonPropertyDescription("Delay before the first restart, in seconds; doubled for each further restart." + FailurePolicy.UNSET
      + DEFAULT_INITIAL_SECONDS + FailurePolicy.PLATFORM + "backoff.initialSeconds).")
  private Integer initialSeconds;

  @Min(0)
  @JsonPropertyDescription("Upper bound of the delay between restarts, in seconds; never below initialSeconds." + FailurePolicy.UNSET
      + DEFAULT_MAX_SECONDS + FailurePolicy.PLATFORM + "backoff.maxSeconds).")
  private Integer maxSeconds;

  public Integer getInitialSeconds() { return initialSeconds; }
  public void setInitialSeconds(Integer initialSeconds) { this.initialSeconds = initialSeconds; }
  public Integer getMaxSeconds() { return maxSeconds; }
  public void setMaxSeconds(Integer maxSeconds) { this.maxSeconds = maxSeconds; }
}

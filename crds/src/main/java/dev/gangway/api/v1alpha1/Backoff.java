package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.initialSeconds) || !has(self.maxSeconds) || self.initialSeconds <= self.maxSeconds",
    message = "spec.failurePolicy.backoff.initialSeconds must not exceed maxSeconds")
public class Backoff {

  @Min(0)
  @Default("10")
  @JsonPropertyDescription("Delay before the first restart, in seconds; doubled for each further restart. Default 10.")
  private Integer initialSeconds = 10;

  @Min(0)
  @Default("300")
  @JsonPropertyDescription("Upper bound of the delay between restarts, in seconds. Default 300.")
  private Integer maxSeconds = 300;

  public Integer getInitialSeconds() { return initialSeconds; }
  public void setInitialSeconds(Integer initialSeconds) { this.initialSeconds = initialSeconds; }
  public Integer getMaxSeconds() { return maxSeconds; }
  public void setMaxSeconds(Integer maxSeconds) { this.maxSeconds = maxSeconds; }
}

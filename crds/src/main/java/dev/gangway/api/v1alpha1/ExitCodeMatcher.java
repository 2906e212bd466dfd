package dev.gangway.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExitCodeMatcher {

  /** Whether the exit code must be one of the values or none of them. */
  public enum Operator { In, NotIn }

  @Default("In")
  @JsonPropertyDescription("In (the exit code is one of values) or NotIn (it is none of them). Default In.")
  private Operator operator = Operator.In;

  @Required
  @Size(min = 1)
  @JsonPropertyDescription("Exit codes to match, 0-255.")
  private List<Integer> values;

  public Operator getOperator() { return operator; }
  public void setOperator(Operator operator) { this.operator = operator; }
  public List<Integer> getValues() { return values; }
  public void setValues(List<Integer> values) { this.values = values; }
}

package dev.gangway.decide;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The job's conditions, with Kubernetes semantics: lastTransitionTime moves only when status flips. */
public final class JobConditions {
  public static final String SUSPENDED = "Suspended";
  public static final String PLACED = "Placed";
  public static final String RUNNING = "Running";
  public static final String RESTARTING = "Restarting";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";

  private final List<Condition> conditions;
  private final Instant now;
  private final Long generation;

  JobConditions(List<Condition> previous, Instant now, Long generation) {
    this.conditions = new ArrayList<>();
    if (previous != null) {
      previous.forEach(c -> conditions.add(new ConditionBuilder(c).build()));
    }
    this.now = now;
    this.generation = generation;
  }

  void set(String type, boolean status, String reason, String message) {
    String value = status ? "True" : "False";
    Optional<Condition> existing = find(conditions, type);
    String since = existing.filter(c -> value.equals(c.getStatus())).map(Condition::getLastTransitionTime).orElse(now.toString());
    Condition updated = new ConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
        .withLastTransitionTime(since).withObservedGeneration(generation).build();
    existing.ifPresentOrElse(c -> conditions.set(conditions.indexOf(c), updated), () -> conditions.add(updated));
  }

  /** Sets the condition to False only if it exists, so conditions a job never reached stay absent. */
  void clear(String type, String reason, String message) {
    if (find(conditions, type).isPresent()) {
      set(type, false, reason, message);
    }
  }

  List<Condition> list() {
    return conditions;
  }

  /** The conditions with one set; lastTransitionTime moves only if its status flips. */
  public static List<Condition> with(List<Condition> conditions, String type, boolean status, String reason, String message, Instant now,
                              Long generation) {
    JobConditions c = new JobConditions(conditions, now, generation);
    c.set(type, status, reason, message);
    return c.list();
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty() : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /**
   * Why the gang is not placed: the reason of a Placed=False condition ("" when it has none); empty when Placed is absent
   * or True.
   */
  public static Optional<String> notPlacedReason(List<Condition> conditions) {
    return find(conditions, PLACED).filter(c -> "False".equals(c.getStatus())).map(c -> c.getReason() == null ? "" : c.getReason());
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}

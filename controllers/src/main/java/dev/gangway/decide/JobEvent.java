package dev.gangway.decide;

/** A Kubernetes Event to record on the job: what a person reads in `kubectl describe tj`. */
public record JobEvent(boolean warning, String reason, String message) {

  public static JobEvent normal(String reason, String message) {
    return new JobEvent(false, reason, message);
  }

  public static JobEvent warning(String reason, String message) {
    return new JobEvent(true, reason, message);
  }
}

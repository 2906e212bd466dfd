package dev.gangway.checkpoint;

/** Namespace and name of a TrainingJob, for listeners that trigger its reconcile. */
public record ResourceRef(String namespace, String name) {

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}

package dev.gangway.e2e.sidebyside;

/** A system that places the job stream, each in a namespace of its own, one after another on the same cluster. */
public enum Contender {
  /** TrainingJobs placed by the packaged operator. */
  GANGWAY("gangway", "bench-gangway"),
  /** Indexed Jobs admitted by Kueue's Topology Aware Scheduling, then bound by kube-scheduler. */
  KUEUE_TAS("kueue TAS", "bench-kueue"),
  /** The same Indexed Jobs without a queue: kube-scheduler alone, pod by pod. */
  KUBE_SCHEDULER("kube-scheduler alone", "bench-kube-scheduler");

  private final String title;
  private final String namespace;

  Contender(String title, String namespace) {
    this.title = title;
    this.namespace = namespace;
  }

  public String title() {
    return title;
  }

  public String namespace() {
    return namespace;
  }
}

package dev.gangway.e2e.sidebyside;

/** A system that places the job stream, each in a namespace of its own, one after another on the same cluster. */
public enum Contender {
  /** TrainingJobs placed by the packaged operator. */
  GANGWAY("gangway", "bench-gangway"),
  /**
   * The same, with the operator set to let gangs pass a head that does not fit for a while
   * (gangway.placement.head-holds-after-seconds): only when the benchmark is asked for it.
   */
  GANGWAY_HEAD_PASSED("gangway, head passed for a while", "bench-gangway-passed"),
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

  /** Placed by Gangway's operator (its TrainingJobs have a status, a decision and Events to read). */
  public boolean gangway() {
    return this == GANGWAY || this == GANGWAY_HEAD_PASSED;
  }
}

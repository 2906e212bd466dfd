package dev.gangway.e2e;

/**
 * How a test breaks a rank or a node, whatever the cluster. Each cluster brings the implementation it
 * can honour: {@link KwokFaults} on simulated nodes (exit codes, NotReady by annotation), {@link ApiFaults}
 * on any cluster (what the Kubernetes API itself allows: deleting pods, cordoning and draining nodes).
 * A fault a cluster cannot produce skips the test with the {@link Capability}'s reason.
 *
 * <p>Pods are chosen by a label selector in the {@link Kube}'s namespace, e.g. {@code
 * gangway.dev/job-name=llm,gangway.dev/rank=1}.
 */
public interface FaultInjector {

  /** Each matching rank's main container ends with this exit code (0: it finished its work). */
  void exitRanks(Kube kube, String podSelector, int exitCode);

  /** Each matching rank's main container ends with exit code 0 about a second from now (training done). */
  void finishRanks(Kube kube, String podSelector);

  /** Deletes the matching pods, as an eviction, a preemption or a person would. */
  void deletePods(Kube kube, String podSelector);

  /** Cordons the node and evicts every pod on it (kubectl drain), as an admin taking it out for repair. */
  void drainNode(String node);

  /** Makes a drained node schedulable again. */
  void uncordonNode(String node);

  /** The node's Ready condition turns False and stays so until {@link #makeNodeReady}. */
  void makeNodeNotReady(String node);

  void makeNodeReady(String node);
}

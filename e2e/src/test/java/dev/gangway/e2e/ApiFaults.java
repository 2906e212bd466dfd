package dev.gangway.e2e;

/**
 * Faults through the Kubernetes API alone, which any cluster allows: a rank's pod deleted, a node
 * cordoned and drained. What needs a simulated node (a chosen exit code, NotReady) skips the test.
 */
public class ApiFaults implements FaultInjector {
  protected final ClusterUnderTest cluster;

  public ApiFaults(ClusterUnderTest cluster) {
    this.cluster = cluster;
  }

  @Override
  public void exitRanks(Kube kube, String podSelector, int exitCode) {
    skip(Capability.RANK_EXIT_CODES);
  }

  @Override
  public void finishRanks(Kube kube, String podSelector) {
    skip(Capability.RANK_EXIT_CODES);
  }

  @Override
  public void deletePods(Kube kube, String podSelector) {
    // --wait=false: on a real node the pod takes its grace period to go; the test watches what Gangway does meanwhile.
    kube.kubectl("delete", "pods", "-l", podSelector, "--wait=false");
  }

  @Override
  public void drainNode(String node) {
    // Through the eviction API (PodDisruptionBudgets honoured), as an admin drains a node. No --force: pods without
    // an owner are someone else's; rank pods are owned by their TrainingJob.
    cluster.kubectlOk("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=120s");
  }

  @Override
  public void uncordonNode(String node) {
    cluster.kubectlOk("uncordon", node);
  }

  @Override
  public void makeNodeNotReady(String node) {
    skip(Capability.NODE_CONDITIONS);
  }

  @Override
  public void makeNodeReady(String node) {
    skip(Capability.NODE_CONDITIONS);
  }

  private void skip(Capability needed) {
    org.junit.jupiter.api.Assumptions.abort("skipped on " + cluster.description() + ": " + needed.reason());
  }
}

package dev.gangway.e2e;

/**
 * Faults on KWOK's simulated nodes through the annotations e2e/cluster/kwok-stages.yaml reacts to
 * (exit codes, NotReady); pod deletion and drains as on any cluster.
 */
public final class KwokFaults extends ApiFaults {

  public KwokFaults(ClusterUnderTest cluster) {
    super(cluster);
  }

  @Override
  public void exitRanks(Kube kube, String podSelector, int exitCode) {
    kube.kubectl("annotate", "pods", "-l", podSelector, "gangway.dev/e2e-exit-code=" + exitCode);
  }

  @Override
  public void finishRanks(Kube kube, String podSelector) {
    kube.kubectl("annotate", "pods", "-l", podSelector, "gangway.dev/e2e-succeed-after=1s");
  }

  @Override
  public void makeNodeNotReady(String node) {
    cluster.kubectlOk("annotate", "node", node, "gangway.dev/e2e-node-not-ready=true");
  }

  @Override
  public void makeNodeReady(String node) {
    cluster.kubectlOk("annotate", "node", node, "gangway.dev/e2e-node-not-ready-");
  }
}

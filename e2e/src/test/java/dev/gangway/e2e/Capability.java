package dev.gangway.e2e;

/**
 * What a test may need of the cluster beyond what every Kubernetes cluster offers. The local control
 * plane the suite starts has all of them; a cluster given by kubeconfig has only those it shows or
 * is declared to have ({@link ExternalCluster}). A test that needs one it lacks is skipped with
 * {@link #reason()}.
 */
public enum Capability {
  SMALL_GPU_CLUSTER("needs the 16 simulated nodes x 8 GPUs of e2e/clusters/small.yaml with their topology labels"
      + " (rack, NVLink domain); a cluster shows it by its nodes labelled gangway.dev/e2e-cluster"),
  RANK_EXIT_CODES("needs KWOK's pod stages (e2e/cluster/kwok-stages.yaml) to end a rank's container with a chosen exit"
      + " code; a real container's exit code cannot be set from outside (declare them with -Dgangway.e2e.kwok-stages=true)"),
  NODE_CONDITIONS("needs KWOK to hold a node NotReady; a real node goes NotReady only when its kubelet stops"
      + " (declare KWOK's stages with -Dgangway.e2e.kwok-stages=true)"),
  NODE_DELETION("deletes Node objects and creates them again, which only simulated (KWOK) nodes survive"),
  CONTROL_PLANE_RESTART("stops or restarts kube-apiserver, kube-scheduler or kube-controller-manager processes: only the local"
      + " control plane the suite starts allows it"),
  AUDIT_LOG("reads the kube-apiserver's audit log: only the local control plane the suite starts writes one it can read");

  private final String reason;

  Capability(String reason) {
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}

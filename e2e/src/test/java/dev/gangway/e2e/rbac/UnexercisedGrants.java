package dev.gangway.e2e.rbac;

import java.util.Map;

/**
 * The one reviewed list of grants the chart gives the operator that ChartInstallE2eTest's run does not
 * use, each with the reason it stays. Keys are {@link Grant#key()}: "verb group/resource".
 * An entry the run used after all is reported (it can go); a grant missing here fails the test.
 */
public final class UnexercisedGrants {
  private static final Map<String, String> EITHER_MODE = Map.of(
      "update gangway.dev/trainingjobs/finalizers", "checked by the OwnerReferencesPermissionEnforcement admission plugin when a pod,"
          + " Service, ConfigMap or Secret is created with blockOwnerDeletion: an authorization check inside the API server, not a request, so"
          + " no audit event; the e2e apiserver does not enable that plugin (OpenShift and hardened clusters do)",
      "get pods/log", "read only when a rank fails (its last lines go into the Failed/Restarting message); no rank fails in the chart"
          + " scenario; RecoveryE2eTest exercises it with the admin identity",
      "patch pods", "lifts the placement gate of a rank an earlier Gangway version created gated (it created a rank behind"
          + " the gate while a pod of the job's previous attempt held its node; ranks are now created pinned once the node is"
          + " free, one write each): only after an upgrade during a restart; GangPodWriterTest and GangPlacementStepTest"
          + " exercise it",
      "delete pods", "a gang restart; the chart scenario restarts no gang; RecoveryE2eTest exercises it with the admin identity",
      "patch services", "converges the headless Service only when someone changed the part Gangway owns; TrainingJobReconcilerTest",
      "patch configmaps", "converges the MPI hostfile only when someone changed it; TrainingJobReconcilerTest",
      "create configmaps", "only framework: mpi jobs get a hostfile ConfigMap; the every-namespace scenario runs one, the"
          + " watchNamespaces scenario none",
      "create secrets", "only framework: mpi jobs get an ssh key Secret; the every-namespace scenario runs one, the"
          + " watchNamespaces scenario none",
      "update coordination.k8s.io/leases", "JOSDK checks get/create/update on the Lease before it starts leader election and"
          + " refuses to start without them; Fabric8 then renews and takes over the Lease with PATCH, so update is never sent");

  /** The default mode: one ClusterRole over every namespace. */
  public static final Map<String, String> ALL_NAMESPACES = EITHER_MODE;

  /** watchNamespaces mode: a Role per watched namespace plus the cluster-scoped reads. */
  public static final Map<String, String> WATCHED_NAMESPACES = EITHER_MODE;

  private UnexercisedGrants() {
  }
}

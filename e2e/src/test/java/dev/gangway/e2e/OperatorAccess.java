package dev.gangway.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * What the operator's ServiceAccount must be allowed (each entry names the code path that makes the
 * request) and what it must not be (the over-grants found by reading the code: each entry says why
 * the operator never needs it). Reviewed by hand when the code starts or stops making a request;
 * {@link ChartInstallE2eTest} checks the chart's RBAC against both with kubectl auth can-i, after the
 * operator ran jobs on exactly these grants.
 */
final class OperatorAccess {
  private static final String TJ = "trainingjobs.gangway.dev";
  private static final String LEASES = "leases.coordination.k8s.io";

  private OperatorAccess() {
  }

  /** Default mode (every namespace): what the code does in {@code ns}, cluster-wide and in the release namespace. */
  static List<Access> allWatched(String ns, String system, String lease) {
    List<Access> all = namespaced(ns);
    all.addAll(List.of(
        allow("list", TJ, null, Access.ALL, "JOSDK's informer on the primary resource, every namespace"),
        allow("watch", TJ, null, Access.ALL, "JOSDK's informer on the primary resource, every namespace")));
    all.addAll(clusterWide(system, lease));
    return all;
  }

  /** watchNamespaces mode with {@code ns} watched. */
  static List<Access> oneWatched(String ns, String system, String lease) {
    List<Access> all = namespaced(ns);
    all.addAll(clusterWide(system, lease));
    return all;
  }

  private static List<Access> namespaced(String ns) {
    List<Access> all = new ArrayList<>(List.of(
        allow("get", TJ, null, ns, "CheckpointRecorder judges a report against the job as stored"),
        allow("list", TJ, null, ns, "informer"),
        allow("watch", TJ, null, ns, "informer"),
        allow("delete", TJ, null, ns, "spec.ttlSecondsAfterFinished"),
        allow("update", TJ, "status", ns, "the reconciler's status write, locked to a resourceVersion"),
        allow("patch", TJ, "status", ns, "a check-in's lastCheckpoint; the error status"),
        allow("update", TJ, "finalizers", ns, "ownerReferences with blockOwnerDeletion on pods, Services, ConfigMaps, Secrets"),
        allow("get", "pods", null, ns, "the pod a check-in's token is bound to"),
        allow("create", "pods", null, ns, "rank pods"),
        allow("patch", "pods", null, ns, "placement annotations and lifting the scheduling gate"),
        allow("delete", "pods", null, ns, "gang restart"),
        allow("get", "pods", "log", ns, "a failed rank's last log lines in the Failed condition"),
        allow("create", "events", null, ns, "Events on TrainingJobs"),
        allow("create", "secrets", null, ns, "an MPI job's ssh keys, once per job"),
        allow("list", "resourcequotas", null, ns, "informer: a gang is created only when its namespace's quotas admit all of it"),
        allow("watch", "resourcequotas", null, ns, "informer"),
        allow("list", "limitranges", null, ns, "informer: the container defaults a quota counts"),
        allow("watch", "limitranges", null, ns, "informer"),
        allow("create", "events", null, "default", "Events on Nodes")));
    for (String kind : List.of("services", "configmaps")) {
      for (String verb : List.of("list", "watch")) {
        all.add(allow(verb, kind, null, ns, "informer of the job's headless Service and MPI hostfile"));
      }
      all.add(allow("create", kind, null, ns, "created per job"));
      all.add(allow("patch", kind, null, ns, "the part Gangway owns (selector, hostfile) converges"));
    }
    return all;
  }

  private static List<Access> clusterWide(String system, String lease) {
    return new ArrayList<>(List.of(
        allow("list", "pods", null, Access.ALL, "placement counts what pods of every namespace hold on each node"),
        allow("watch", "pods", null, Access.ALL, "placement counts what pods of every namespace hold on each node"),
        allow("list", "nodes", null, null, "informer: labels, allocatable GPUs, taints, conditions"),
        allow("watch", "nodes", null, null, "informer"),
        allow("get", "nodes", null, null, "NodeHealthRecorder reads the node before keeping a signal on it"),
        allow("patch", "nodes", null, null, "the gangway.dev/health annotation"),
        allow("list", "clustertopologies.gangway.dev", null, null, "informer"),
        allow("watch", "clustertopologies.gangway.dev", null, null, "informer"),
        allow("list", "priorityclasses.scheduling.k8s.io", null, null, "informer: gang priority"),
        allow("watch", "priorityclasses.scheduling.k8s.io", null, null, "informer"),
        allow("get", "customresourcedefinitions.apiextensions.k8s.io", null, null, "JOSDK checks the CRD at startup"),
        allow("create", "tokenreviews.authentication.k8s.io", null, null, "who sent a check-in"),
        allow("create", "subjectaccessreviews.authorization.k8s.io", null, null, "may that sender report node health"),
        allow("create", LEASES, null, system, "the first replica creates the Lease"),
        allow("get", LEASES, null, system, lease, "leader election; a follower finds the leader to forward to"),
        allow("update", LEASES, null, system, lease, "leader election"),
        allow("patch", LEASES, null, system, lease, "Fabric8's LeaseLock renews with PATCH")));
  }

  /** Grants the chart used to give (or could easily give again) that no code path uses. */
  static List<Access> overGrants(String ns, String system, String lease) {
    return List.of(
        deny("patch", TJ, null, ns, "no finalizer, no metadata writes: status goes through the subresource"),
        deny("update", TJ, null, ns, "no finalizer, no metadata writes"),
        deny("update", "pods", null, ns, "every pod write is a PATCH or a delete"),
        deny("update", "services", null, ns, "converged with PATCH"),
        deny("delete", "services", null, ns, "the garbage collector deletes them with the job"),
        deny("update", "configmaps", null, ns, "converged with PATCH"),
        deny("delete", "configmaps", null, ns, "the garbage collector deletes them with the job"),
        deny("patch", "events", null, ns, "Events are created, never updated"),
        deny("create", "events.events.k8s.io", null, ns, "Events go through the core v1 API"),
        deny("get", "secrets", null, ns, "Gangway reads no Secrets"),
        deny("list", "secrets", null, Access.ALL, "Gangway reads no Secrets"),
        deny("watch", "secrets", null, ns, "Gangway reads no Secrets"),
        deny("update", "secrets", null, ns, "an ssh key Secret is immutable"),
        deny("patch", "secrets", null, ns, "an ssh key Secret is immutable"),
        deny("delete", "secrets", null, ns, "the garbage collector deletes it with the job"),
        deny("create", "pods", "exec", ns, "Gangway never execs into ranks"),
        deny("create", "serviceaccounts", "token", ns, "ranks get tokens from the kubelet, not from Gangway"),
        deny("get", LEASES, null, system, "someone-elses-lease", "only its own Lease is pinned"),
        deny("update", LEASES, null, system, "someone-elses-lease", "only its own Lease is pinned"),
        deny("get", LEASES, null, ns, lease, "Leases live in the release namespace only"),
        deny("delete", "nodes", null, null, "Gangway never deletes nodes"),
        deny("update", "nodes", null, null, "taints and cordons are sent as PATCH"),
        deny("create", "clustertopologies.gangway.dev", null, null, "the platform describes the fabric"),
        deny("get", "clustertopologies.gangway.dev", null, null, "read from the informer's cache"),
        deny("get", "priorityclasses.scheduling.k8s.io", null, null, "read from the informer's cache"),
        deny("get", "services", null, ns, "read from the informer's cache"),
        deny("get", "resourcequotas", null, ns, "read from the informer's cache"),
        deny("update", "resourcequotas", null, ns, "Gangway never changes a quota"),
        deny("get", "configmaps", null, ns, "read from the informer's cache"),
        deny("list", "customresourcedefinitions.apiextensions.k8s.io", null, null, "JOSDK checks its CRDs by name"),
        deny("patch", "customresourcedefinitions.apiextensions.k8s.io", null, null, "the chart installs the CRDs"));
  }

  /** watchNamespaces mode: nothing namespaced outside the watched namespaces (pods are listed and watched everywhere, see above). */
  static List<Access> outsideWatched(String other) {
    List<Access> all = new ArrayList<>(List.of(
        deny("get", TJ, null, other, "not a watched namespace"),
        deny("list", TJ, null, Access.ALL, "informers per watched namespace"),
        deny("delete", TJ, null, other, "not a watched namespace"),
        deny("patch", TJ, "status", other, "not a watched namespace"),
        deny("get", "pods", null, other, "single pods are read only in watched namespaces"),
        deny("create", "pods", null, other, "not a watched namespace"),
        deny("delete", "pods", null, other, "not a watched namespace"),
        deny("create", "events", null, other, "not a watched namespace"),
        deny("create", "secrets", null, other, "not a watched namespace")));
    for (String kind : List.of("services", "configmaps", "resourcequotas", "limitranges")) {
      all.add(deny("list", kind, null, other, "not a watched namespace"));
      all.add(deny("list", kind, null, Access.ALL, "informers per watched namespace: nothing readable cluster-wide"));
      all.add(deny("create", kind, null, other, "not a watched namespace"));
    }
    return all;
  }

  private static Access allow(String verb, String resource, String subresource, String namespace, String why) {
    return new Access(verb, resource, subresource, namespace, null, why);
  }

  private static Access allow(String verb, String resource, String subresource, String namespace, String name, String why) {
    return new Access(verb, resource, subresource, namespace, name, why);
  }

  private static Access deny(String verb, String resource, String subresource, String namespace, String why) {
    return new Access(verb, resource, subresource, namespace, null, why);
  }

  private static Access deny(String verb, String resource, String subresource, String namespace, String name, String why) {
    return new Access(verb, resource, subresource, namespace, name, why);
  }
}

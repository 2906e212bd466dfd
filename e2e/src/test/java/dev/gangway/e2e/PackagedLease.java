package dev.gangway.e2e;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The leader Lease that operator processes started with the packaged defaults contend for (the shared
 * operator and any replica a test adds), and how each replica's writes are named: tests that run two
 * replicas ask which one leads, then check that only it wrote.
 */
final class PackagedLease {
  static final String NAME = "gangway-operator-lease";

  private PackagedLease() {
  }

  /** The replica named in the Lease, once one of them holds it. */
  static OperatorProcess awaitHolder(ClusterUnderTest cluster, List<OperatorProcess> replicas, Duration wait) {
    await("a leader among " + replicas.size() + " replicas").atMost(wait).until(() -> holder(cluster, replicas) != null);
    return holder(cluster, replicas);
  }

  private static OperatorProcess holder(ClusterUnderTest cluster, List<OperatorProcess> replicas) {
    // The Lease identity is HOSTNAME-pid@<advertised address>; the address is the replica's own HTTP endpoint.
    String holder = cluster.kubectl("get", "lease", NAME, "-n", "default", "-o", "jsonpath={.spec.holderIdentity}").stdout().strip();
    return replicas.stream().filter(r -> holder.endsWith("@" + URI.create(r.url()).getAuthority())).findFirst().orElse(null);
  }

  /**
   * The replica's name in its writes: the user agent up to the first slash, which the API server also takes as the
   * field manager of a non-apply write (ReplicaUserAgent).
   */
  static String writer(OperatorProcess replica) {
    return "gangway-operator-" + System.getenv().getOrDefault("HOSTNAME", "gangway") + "-" + replica.pid();
  }
}

package dev.gangway.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * One request the operator's identity makes, or must not be able to make, as {@code kubectl auth
 * can-i} asks it.
 *
 * @param resource as kubectl names it, with its API group: {@code pods}, {@code leases.coordination.k8s.io}
 * @param subresource e.g. {@code status}; null for the object itself
 * @param namespace null for a cluster-scoped resource, {@link #ALL} for every namespace
 * @param name a single object, for grants pinned by resourceNames; null for any
 * @param why the code path that needs it, or why it must not be granted
 */
public record Access(String verb, String resource, String subresource, String namespace, String name, String why) {
  public static final String ALL = "*";

  public boolean allowed(ClusterUnderTest cluster, String user) {
    List<String> args = new ArrayList<>(List.of("auth", "can-i", verb, name == null ? resource : resource + "/" + name));
    if (subresource != null) {
      args.add("--subresource=" + subresource);
    }
    if (ALL.equals(namespace)) {
      args.add("--all-namespaces");
    } else if (namespace != null) {
      args.addAll(List.of("-n", namespace));
    }
    args.add("--as=" + user);
    return cluster.kubectl(args.toArray(String[]::new)).stdout().strip().equals("yes");
  }

  @Override
  public String toString() {
    return verb + " " + resource + (subresource == null ? "" : "/" + subresource) + (name == null ? "" : " named " + name)
        + (namespace == null ? "" : ALL.equals(namespace) ? " in every namespace" : " in " + namespace);
  }
}

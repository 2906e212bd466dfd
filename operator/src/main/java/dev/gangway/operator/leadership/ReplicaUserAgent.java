package dev.gangway.operator.leadership;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;

/**
 * Each replica talks to the API server as {@code gangway-operator-<pod-or-host>-<pid>/...}: the API
 * server's audit log shows which replica made a request, and an object's managedFields name the
 * replica that wrote it (the API server takes the field manager of a non-apply write from the user
 * agent up to the first slash), so "only the leader writes" can be checked on a live cluster.
 */
@Singleton
public class ReplicaUserAgent implements KubernetesConfigCustomizer {
  /** The field manager this replica's non-apply writes carry. */
  public static String fieldManager() {
    return "gangway-operator-" + GangwayLeaderElection.replicaName();
  }

  @Override
  public void customize(Config config) {
    config.setUserAgent(fieldManager() + "/" + config.getUserAgent());
  }
}

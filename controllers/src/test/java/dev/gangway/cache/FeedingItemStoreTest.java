package dev.gangway.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gangway.placement.ClusterCache;
import dev.gangway.placement.Reservation;
import dev.gangway.placement.Resources;
import dev.gangway.placement.SnapshotFactory;
import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A real Fabric8 informer feeds the {@link ClusterCache} through its store: whatever the informer's cache holds, the
 * cluster cache has already counted, with no event queue in between.
 */
@EnableKubernetesMockClient(crud = true)
class FeedingItemStoreTest {
  private static final Topology HOSTS = Topology.of(50, new Level(0, "host", "kubernetes.io/hostname", 50));
  static KubernetesClient client;

  @Test
  void whatTheInformerHoldsTheClusterCacheHasAlreadyCounted() {
    ClusterCache cluster = new ClusterCache();
    SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().runnableInformer(0)
        .itemStore(new FeedingItemStore<>(new BasicItemStore<>(Cache::metaNamespaceKeyFunc), cluster::put,
            pod -> cluster.removePod(SnapshotFactory.podKey(pod))));
    informer.run();
    try {
      for (int i = 0; i < 3; i++) {
        client.pods().inNamespace("ns").resource(new PodBuilder().withNewMetadata().withName("p" + i).endMetadata()
            .withNewSpec().addNewContainer().withName("main").withImage("x").endContainer().endSpec().build()).create();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> informer.getStore().list().size() == 3);
      assertThat(cluster.podCount()).as("counted the moment the informer holds them").isEqualTo(3);

      client.pods().inNamespace("ns").withName("p0").edit(p -> {
        p.getMetadata().setAnnotations(java.util.Map.of(SnapshotFactory.RESERVED_NODE_ANNOTATION, "n1"));
        return p;
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> informer.getStore().getByKey("ns/p0").getMetadata().getAnnotations() != null);
      assertThat(cluster.read(Set.of()).snapshot(HOSTS).reservations()).containsExactly(new Reservation("ns/p0", "n1", Resources.NONE));

      client.pods().inNamespace("ns").withName("p1").delete();
      await().atMost(Duration.ofSeconds(10)).until(() -> informer.getStore().list().size() == 2);
      assertThat(cluster.podCount()).isEqualTo(2);
    } finally {
      informer.stop();
    }
  }
}

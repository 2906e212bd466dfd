package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.operator.apiserver.StreamBudgetHttpClientFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's HTTP/2 transport (gangway.kubernetes-client.http-client=jdk) against the real API server:
 * java.net.http refuses a request beyond the server's concurrent streams per connection ("too many concurrent
 * streams"), so a burst of requests fails without a budget; through the operator's stream budget the same
 * burst all succeeds, beside an open watch that holds a stream the whole time.
 */
@ExtendWith(E2eEnvironment.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiStreamBudgetE2eTest {
  private static final int BURST = 300;
  private final LocalCluster cluster;
  private final ExecutorService callers = Executors.newFixedThreadPool(BURST);
  private final ExecutorService handOff = Executors.newCachedThreadPool();

  ApiStreamBudgetE2eTest(E2eEnvironment env) {
    this.cluster = env.cluster();
  }

  @AfterAll
  void stop() {
    callers.shutdownNow();
    handOff.shutdownNow();
  }

  @Test
  void withoutABudgetABurstBeyondTheServersStreamsFails() throws Exception {
    try (KubernetesClient client = client(new JdkHttpClientFactory())) {
      Map<String, Integer> failures = burst(client);
      System.out.println("[stream-budget] " + BURST + " requests at once, no budget: " + failures);
      assertThat(failures.keySet()).as("the API server allows fewer streams per connection than the burst")
          .anyMatch(failure -> failure.contains("too many concurrent streams"));
    }
  }

  @Test
  void throughTheBudgetTheSameBurstSucceedsBesideAWatch() throws Exception {
    try (KubernetesClient client = client(new StreamBudgetHttpClientFactory(new JdkHttpClientFactory(), 80, handOff))) {
      AtomicReference<WatcherException> closed = new AtomicReference<>();
      try (Watch watch = client.pods().inNamespace("default").watch(new Watcher<Pod>() {
        @Override
        public void eventReceived(Action action, Pod pod) {
        }

        @Override
        public void onClose(WatcherException cause) {
          closed.set(cause);
        }
      })) {
        Map<String, Integer> failures = burst(client);
        System.out.println("[stream-budget] " + BURST + " requests at once, budget 80: " + failures);
        assertThat(failures).isEmpty();
        assertThat(closed.get()).as("the watch stays open through the burst").isNull();
      }
    }
  }

  /** Lists pods from {@link #BURST} threads at once; returns the failures by message. */
  private Map<String, Integer> burst(KubernetesClient client) throws Exception {
    client.namespaces().withName("default").get(); // the connection is up before the burst
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> calls = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      calls.add(callers.submit(() -> {
        go.await();
        try {
          client.pods().inNamespace("default").list();
          return null;
        } catch (RuntimeException e) {
          Throwable root = e;
          while (root.getCause() != null) {
            root = root.getCause();
          }
          return root.getClass().getSimpleName() + ": " + root.getMessage();
        }
      }));
    }
    go.countDown();
    Map<String, Integer> failures = new TreeMap<>();
    for (Future<String> call : calls) {
      String failure = call.get();
      if (failure != null) {
        failures.merge(failure, 1, Integer::sum);
      }
    }
    return failures;
  }

  private KubernetesClient client(HttpClient.Factory factory) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(cluster.kubeconfig()));
    config.setRequestRetryBackoffLimit(0); // a refused stream shows as the failure it is
    return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(factory).build();
  }
}

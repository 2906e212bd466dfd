package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.operator.apiserver.StreamBudgetHttpClientFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's HTTP/2 transport (gangway.kubernetes-client.http-client=jdk) against the real API server:
 * java.net.http refuses a request beyond the server's concurrent streams per connection ("too many concurrent
 * streams"), so a burst of requests fails on one connection; through the operator's stream budget (80 streams per
 * connection, another connection when those are in use) the same burst all succeeds, beside an open watch, and
 * beside more streamed watches than one connection carries.
 */
@ExtendWith(E2eEnvironment.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiStreamBudgetE2eTest {
  private static final int BURST = 300;
  private static final int WATCHES = 120;
  private final LocalCluster cluster;
  private final ExecutorService callers = Executors.newFixedThreadPool(BURST);

  ApiStreamBudgetE2eTest(E2eEnvironment env) {
    this.cluster = env.cluster();
  }

  @AfterAll
  void stop() {
    callers.shutdownNow();
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
    try (KubernetesClient client = client(new StreamBudgetHttpClientFactory(new JdkHttpClientFactory(), 80))) {
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

  /**
   * Fabric8's watches (the informers') go over WebSockets, each an HTTP/1.1 connection of its own, and take no stream.
   * When a WebSocket upgrade is answered 200 or 503 (a proxy that does not upgrade), Fabric8 watches with a streamed
   * HTTP GET instead, which holds a stream for as long as it watches. Those are opened here directly: more than one
   * connection carries, then the burst, then an event only the last watch selects.
   */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void moreStreamedWatchesThanAConnectionCarriesNeitherWaitNorHoldUpRequests() throws Exception {
    StreamBudgetHttpClientFactory factory = new StreamBudgetHttpClientFactory(new JdkHttpClientFactory(), 80);
    try (KubernetesClient client = client(factory)) {
      String label = "gangway.dev/e2e-stream-watch";
      CountDownLatch lastWatchSaw = new CountDownLatch(1);
      List<CompletableFuture<HttpResponse<AsyncBody>>> watches = new ArrayList<>();
      try {
        for (int i = 0; i < WATCHES; i++) {
          boolean last = i == WATCHES - 1;
          StringBuilder seen = new StringBuilder();
          HttpRequest request = client.getHttpClient().newHttpRequestBuilder()
              .uri(client.getMasterUrl() + "api/v1/namespaces/default/configmaps?watch=true&labelSelector=" + label + "%3Dw" + i)
              .build();
          watches.add(client.getHttpClient().consumeBytes(request, (buffers, body) -> {
            buffers.forEach(buffer -> seen.append(StandardCharsets.UTF_8.decode(buffer)));
            if (last && seen.indexOf("e2e-stream-watch") >= 0) {
              lastWatchSaw.countDown();
            }
            body.consume();
          }));
        }
        for (CompletableFuture<HttpResponse<AsyncBody>> watch : watches) {
          HttpResponse<AsyncBody> response = watch.get(30, TimeUnit.SECONDS);
          assertThat(response.code()).isEqualTo(200);
          response.body().consume();
        }
        Map<String, Integer> failures = burst(client);
        System.out.println("[stream-budget] " + BURST + " requests at once beside " + WATCHES + " streamed watches: " + failures
            + "; connections opened: " + factory.connections());
        assertThat(failures).isEmpty();
        assertThat(factory.connections()).as("120 watches and the burst need more than one connection's 80 streams")
            .isGreaterThanOrEqualTo(2);

        ConfigMap marker = new ConfigMapBuilder().withNewMetadata().withName("e2e-stream-watch").withNamespace("default")
            .addToLabels(label, "w" + (WATCHES - 1)).endMetadata().build();
        client.resource(marker).create();
        try {
          assertThat(lastWatchSaw.await(30, TimeUnit.SECONDS)).as("the last watch opened is live").isTrue();
        } finally {
          client.resource(marker).delete();
        }
        assertThat(watches).as("every watch still streaming").allSatisfy(watch -> assertThat(watch.join().body().done()).isNotDone());
      } finally {
        watches.forEach(watch -> watch.thenAccept(response -> response.body().cancel()));
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

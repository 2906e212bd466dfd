package dev.gangway.operator.apiserver;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A Fabric8 HTTP client whose requests each hold a stream of a {@link StreamBudget} connection while open: a plain
 * request until its response is read, a streamed one (a watch over HTTP) until its body ends or is cancelled. Clients derived
 * from it ({@link #newBuilder()}: other interceptors, a tag) share its connections, each deriving its own client per
 * connection as it first needs one.
 */
final class StreamBudgetHttpClient implements HttpClient {
  private final StreamBudget<HttpClient> budget;
  private final List<Consumer<DerivedClientBuilder>> derivation;
  private final Map<HttpClient, HttpClient> derived = new ConcurrentHashMap<>();

  StreamBudgetHttpClient(StreamBudget<HttpClient> budget) {
    this(budget, List.of());
  }

  private StreamBudgetHttpClient(StreamBudget<HttpClient> budget, List<Consumer<DerivedClientBuilder>> derivation) {
    this.budget = budget;
    this.derivation = derivation;
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, Class<T> type) {
    // The response future completes once the body is read: the stream is over with it.
    return withStream(client -> client.sendAsync(request, type), response -> CompletableFuture.completedFuture(null), response -> { });
  }

  @Override
  public CompletableFuture<HttpResponse<AsyncBody>> consumeBytes(HttpRequest request, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    // A watch: the stream stays open until its body ends or is cancelled.
    return withStream(client -> client.consumeBytes(request, consumer), response -> response.body().done(),
        response -> response.body().cancel());
  }

  /**
   * Sends on a connection with a free stream and gives the stream back when the request fails or {@code over}
   * completes. A caller that gives up (cancels) while the request is out has the response {@code abandon}ed when it
   * comes, so its stream ends.
   */
  private <R> CompletableFuture<R> withStream(Function<HttpClient, CompletableFuture<R>> send, Function<R, CompletableFuture<?>> over,
                                              Consumer<R> abandon) {
    StreamBudget.Connection<HttpClient> connection = budget.acquire();
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        budget.release(connection);
      }
    };
    CompletableFuture<R> sent;
    try {
      sent = send.apply(on(connection.client()));
    } catch (RuntimeException e) {
      release.run();
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<R> result = new CompletableFuture<>();
    sent.whenComplete((response, error) -> {
      if (error != null) {
        release.run();
        result.completeExceptionally(error);
        return;
      }
      over.apply(response).whenComplete((done, bodyError) -> release.run());
      if (!result.complete(response)) {
        abandon.accept(response);
      }
    });
    return result;
  }

  /** This client's own on the given connection: the connection's client itself, or one derived from it. */
  private HttpClient on(HttpClient connection) {
    if (derivation.isEmpty()) {
      return connection;
    }
    return derived.computeIfAbsent(connection, base -> {
      DerivedClientBuilder builder = base.newBuilder();
      derivation.forEach(step -> step.accept(builder));
      return builder.build();
    });
  }

  private List<HttpClient> clients() {
    return derivation.isEmpty() ? budget.connections() : budget.connections().stream().map(this::on).toList();
  }

  @Override
  public DerivedClientBuilder newBuilder() {
    return new DerivedBuilder(budget, new ArrayList<>(derivation));
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return on(budget.first()).newWebSocketBuilder(); // an HTTP/1.1 upgrade on a connection of its own
  }

  @Override
  public HttpRequest.Builder newHttpRequestBuilder() {
    // Every request is built here: no lock (JFR showed writers queueing on the budget's for this).
    return on(budget.first()).newHttpRequestBuilder();
  }

  @Override
  public boolean isClosed() {
    return on(budget.first()).isClosed();
  }

  @Override
  public void close() {
    clients().forEach(HttpClient::close);
  }

  /** Records how a derived client differs, to apply on each connection's client. */
  private record DerivedBuilder(StreamBudget<HttpClient> budget, List<Consumer<DerivedClientBuilder>> derivation)
      implements DerivedClientBuilder {
    @Override
    public HttpClient build() {
      return new StreamBudgetHttpClient(budget, List.copyOf(derivation));
    }

    @Override
    public DerivedClientBuilder addOrReplaceInterceptor(String name, Interceptor interceptor) {
      derivation.add(builder -> builder.addOrReplaceInterceptor(name, interceptor));
      return this;
    }

    @Override
    public DerivedClientBuilder authenticatorNone() {
      derivation.add(DerivedClientBuilder::authenticatorNone);
      return this;
    }

    @Override
    public DerivedClientBuilder tag(Object value) {
      derivation.add(builder -> builder.tag(value));
      return this;
    }
  }
}

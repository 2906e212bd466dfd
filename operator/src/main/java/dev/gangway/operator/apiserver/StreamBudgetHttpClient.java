package dev.gangway.operator.apiserver;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Fabric8 HTTP client whose requests each hold a stream of a {@link StreamBudget} while open: a plain
 * request until its response is read, a streamed one (a watch) until its body ends or is cancelled.
 * Clients derived from it ({@link #newBuilder()}) share its budget: they share its connection.
 */
final class StreamBudgetHttpClient implements HttpClient {
  private final HttpClient delegate;
  private final StreamBudget budget;

  StreamBudgetHttpClient(HttpClient delegate, StreamBudget budget) {
    this.delegate = delegate;
    this.budget = budget;
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, Class<T> type) {
    // The response future completes once the body is read: the stream is over with it.
    return withStream(() -> delegate.sendAsync(request, type), response -> CompletableFuture.completedFuture(null), response -> { });
  }

  @Override
  public CompletableFuture<HttpResponse<AsyncBody>> consumeBytes(HttpRequest request, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    // A watch: the stream stays open until its body ends or is cancelled.
    return withStream(() -> delegate.consumeBytes(request, consumer), response -> response.body().done(),
        response -> response.body().cancel());
  }

  /**
   * Sends once a stream is granted and gives it back when the request fails or {@code over} completes. A caller
   * that gives up (cancels) before its turn never sends; one that gives up while the request is out has the
   * response {@code abandon}ed when it comes, so its stream ends.
   */
  private <R> CompletableFuture<R> withStream(Supplier<CompletableFuture<R>> send, Function<R, CompletableFuture<?>> over,
                                              Consumer<R> abandon) {
    CompletableFuture<R> result = new CompletableFuture<>();
    CompletableFuture<Void> granted = budget.acquire();
    result.whenComplete((response, error) -> {
      if (result.isCancelled()) {
        granted.cancel(false); // still waiting: the budget hands the stream to the next waiter instead
      }
    });
    granted.thenRun(() -> {
      AtomicBoolean released = new AtomicBoolean();
      Runnable release = () -> {
        if (released.compareAndSet(false, true)) {
          budget.release();
        }
      };
      if (result.isDone()) {
        release.run();
        return;
      }
      CompletableFuture<R> sent;
      try {
        sent = send.get();
      } catch (RuntimeException e) {
        release.run();
        result.completeExceptionally(e);
        return;
      }
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
    });
    return result;
  }

  @Override
  public DerivedClientBuilder newBuilder() {
    return new DerivedBuilder(delegate.newBuilder(), budget);
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder(); // an HTTP/1.1 upgrade on a connection of its own: no stream of ours
  }

  @Override
  public HttpRequest.Builder newHttpRequestBuilder() {
    return delegate.newHttpRequestBuilder();
  }

  @Override
  public boolean isClosed() {
    return delegate.isClosed();
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** Builds a derived client (other interceptors, a tag) over the same connection, so with the same budget. */
  private record DerivedBuilder(DerivedClientBuilder delegate, StreamBudget budget) implements DerivedClientBuilder {
    @Override
    public HttpClient build() {
      return new StreamBudgetHttpClient(delegate.build(), budget);
    }

    @Override
    public DerivedClientBuilder addOrReplaceInterceptor(String name, Interceptor interceptor) {
      delegate.addOrReplaceInterceptor(name, interceptor);
      return this;
    }

    @Override
    public DerivedClientBuilder authenticatorNone() {
      delegate.authenticatorNone();
      return this;
    }

    @Override
    public DerivedClientBuilder tag(Object value) {
      delegate.tag(value);
      return this;
    }
  }
}

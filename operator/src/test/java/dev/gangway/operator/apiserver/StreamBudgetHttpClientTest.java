package dev.gangway.operator.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.WebSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StreamBudgetHttpClientTest {
  private final List<FakeTransport> connections = new ArrayList<>();
  private final StreamBudget<HttpClient> budget = new StreamBudget<>(2, () -> {
    FakeTransport connection = new FakeTransport(List.of());
    connections.add(connection);
    return connection;
  });
  private final HttpClient client = new StreamBudgetHttpClient(budget);

  @Test
  void aRequestBeyondAConnectionsStreamsGoesOutOnAnother() {
    CompletableFuture<HttpResponse<String>> first = client.sendAsync(null, String.class);
    client.sendAsync(null, String.class);
    client.sendAsync(null, String.class);

    assertThat(connections).hasSize(2);
    assertThat(connections.get(0).sent).hasSize(2);
    assertThat(connections.get(1).sent).hasSize(1);

    connections.get(0).sent.get(0).complete(new FakeResponse<>("ok", null));
    client.sendAsync(null, String.class);

    assertThat(first).isCompleted();
    assertThat(connections.get(0).sent).as("the first connection's freed stream is taken again").hasSize(3);
    assertThat(budget.open()).isEqualTo(3);
  }

  @Test
  void watchesFillingAConnectionNeverHoldUpARequest() {
    client.consumeBytes(null, (buffers, body) -> { });
    client.consumeBytes(null, (buffers, body) -> { });
    connections.get(0).sent.forEach(watch -> watch.complete(new FakeResponse<>(new FakeBody(), null)));

    client.sendAsync(null, String.class);

    assertThat(connections).hasSize(2);
    assertThat(connections.get(1).sent).as("sent at once on a second connection").hasSize(1);
  }

  @Test
  void aWatchHoldsItsStreamUntilItsBodyEnds() {
    CompletableFuture<HttpResponse<AsyncBody>> watch = client.consumeBytes(null, (buffers, body) -> { });
    FakeBody body = new FakeBody();
    connections.get(0).sent.get(0).complete(new FakeResponse<>(body, null));
    assertThat(watch).isCompleted();
    assertThat(budget.open()).as("the watch is still streaming").isEqualTo(1);

    body.done.complete(null);

    assertThat(budget.open()).isZero();
  }

  @Test
  void aClosedWatchGivesItsStreamBack() {
    client.consumeBytes(null, (buffers, body) -> { });
    FakeBody body = new FakeBody();
    connections.get(0).sent.get(0).complete(new FakeResponse<>(body, null));

    body.cancel();

    assertThat(budget.open()).isZero();
  }

  @Test
  void aFailedRequestGivesItsStreamBack() {
    CompletableFuture<HttpResponse<String>> failed = client.sendAsync(null, String.class);
    connections.get(0).sent.get(0).completeExceptionally(new IOException("connection reset"));

    assertThat(failed).isCompletedExceptionally();
    assertThat(budget.open()).isZero();
  }

  @Test
  void aRequestTheTransportRefusesAtOnceGivesItsStreamBack() {
    connections.get(0).refuse = true;

    CompletableFuture<HttpResponse<String>> refused = client.sendAsync(null, String.class);

    assertThat(refused).isCompletedExceptionally();
    assertThat(budget.open()).isZero();
  }

  @Test
  void aWatchGivenUpWhileOutIsCancelledWhenItsResponseComes() {
    CompletableFuture<HttpResponse<AsyncBody>> watch = client.consumeBytes(null, (buffers, body) -> { });
    watch.cancel(false);
    FakeBody body = new FakeBody();

    connections.get(0).sent.get(0).complete(new FakeResponse<>(body, null));

    assertThat(body.done).isCancelled();
    assertThat(budget.open()).isZero();
  }

  @Test
  void aDerivedClientSharesTheConnectionsWithItsOwnSettingsOnEach() {
    HttpClient derived = client.newBuilder().tag("informer").build();
    client.sendAsync(null, String.class);
    derived.sendAsync(null, String.class);
    derived.sendAsync(null, String.class);

    assertThat(connections).hasSize(2);
    assertThat(connections.get(0).sent).hasSize(2);
    assertThat(connections.get(1).sent).hasSize(1);
    assertThat(connections.get(0).derived).as("derived once per connection, with the tag")
        .singleElement().satisfies(d -> assertThat(d.tags).containsExactly("informer"));
    assertThat(connections.get(1).derived).singleElement().satisfies(d -> assertThat(d.tags).containsExactly("informer"));
  }

  /** Records each request and leaves it open until the test answers it. */
  private static final class FakeTransport implements HttpClient {
    final List<CompletableFuture<HttpResponse<?>>> sent;
    final List<Object> tags;
    final List<FakeTransport> derived = new ArrayList<>();
    boolean refuse;

    FakeTransport(List<Object> tags) {
      this(new ArrayList<>(), tags);
    }

    private FakeTransport(List<CompletableFuture<HttpResponse<?>>> sent, List<Object> tags) {
      this.sent = sent;
      this.tags = tags;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, Class<T> type) {
      if (refuse) {
        throw new IllegalStateException("closed");
      }
      CompletableFuture<HttpResponse<?>> response = new CompletableFuture<>();
      sent.add(response);
      return (CompletableFuture) response;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletableFuture<HttpResponse<AsyncBody>> consumeBytes(HttpRequest request, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
      CompletableFuture<HttpResponse<?>> response = new CompletableFuture<>();
      sent.add(response);
      return (CompletableFuture) response;
    }

    @Override
    public DerivedClientBuilder newBuilder() {
      List<Object> derivedTags = new ArrayList<>(tags);
      return new DerivedClientBuilder() {
        @Override
        public HttpClient build() {
          FakeTransport built = new FakeTransport(sent, derivedTags);
          derived.add(built);
          return built;
        }

        @Override
        public DerivedClientBuilder addOrReplaceInterceptor(String name, Interceptor interceptor) {
          return this;
        }

        @Override
        public DerivedClientBuilder authenticatorNone() {
          return this;
        }

        @Override
        public DerivedClientBuilder tag(Object value) {
          derivedTags.add(value);
          return this;
        }
      };
    }

    @Override
    public WebSocket.Builder newWebSocketBuilder() {
      throw new UnsupportedOperationException();
    }

    @Override
    public HttpRequest.Builder newHttpRequestBuilder() {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isClosed() {
      return false;
    }

    @Override
    public void close() {
    }
  }

  private static final class FakeBody implements AsyncBody {
    final CompletableFuture<Void> done = new CompletableFuture<>();

    @Override
    public void consume() {
    }

    @Override
    public CompletableFuture<Void> done() {
      return done;
    }

    @Override
    public void cancel() {
      done.cancel(false);
    }
  }

  private record FakeResponse<T>(T body, HttpRequest request) implements HttpResponse<T> {
    @Override
    public int code() {
      return 200;
    }

    @Override
    public Optional<HttpResponse<?>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public List<String> headers(String key) {
      return List.of();
    }

    @Override
    public Map<String, List<String>> headers() {
      return Map.of();
    }
  }
}

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
  private final FakeTransport transport = new FakeTransport();
  private final StreamBudget budget = new StreamBudget(2, Runnable::run);
  private final HttpClient client = new StreamBudgetHttpClient(transport, budget);

  @Test
  void aRequestBeyondTheBudgetWaitsForOneToFinish() {
    CompletableFuture<HttpResponse<String>> first = client.sendAsync(null, String.class);
    client.sendAsync(null, String.class);
    CompletableFuture<HttpResponse<String>> third = client.sendAsync(null, String.class);

    assertThat(transport.sent).as("only two on the wire").hasSize(2);

    transport.sent.get(0).complete(new FakeResponse<>("ok", null));

    assertThat(first).isCompleted();
    assertThat(transport.sent).as("the third goes out when the first is answered").hasSize(3);
    assertThat(third).isNotDone();
    assertThat(budget.open()).isEqualTo(2);
  }

  @Test
  void aWatchHoldsItsStreamUntilItsBodyEnds() {
    CompletableFuture<HttpResponse<AsyncBody>> watch = client.consumeBytes(null, (buffers, body) -> { });
    FakeBody body = new FakeBody();
    transport.sent.get(0).complete(new FakeResponse<>(body, null));
    assertThat(watch).isCompleted();
    assertThat(budget.open()).as("the watch is still streaming").isEqualTo(1);

    body.done.complete(null);

    assertThat(budget.open()).isZero();
  }

  @Test
  void aClosedWatchGivesItsStreamBack() {
    client.consumeBytes(null, (buffers, body) -> { });
    FakeBody body = new FakeBody();
    transport.sent.get(0).complete(new FakeResponse<>(body, null));

    body.cancel();

    assertThat(budget.open()).isZero();
  }

  @Test
  void aFailedRequestGivesItsStreamBack() {
    CompletableFuture<HttpResponse<String>> failed = client.sendAsync(null, String.class);
    transport.sent.get(0).completeExceptionally(new IOException("connection reset"));

    assertThat(failed).isCompletedExceptionally();
    assertThat(budget.open()).isZero();
  }

  @Test
  void aRequestGivenUpWhileWaitingIsNeverSent() {
    client.sendAsync(null, String.class);
    client.sendAsync(null, String.class);
    CompletableFuture<HttpResponse<String>> gaveUp = client.sendAsync(null, String.class);
    CompletableFuture<HttpResponse<String>> after = client.sendAsync(null, String.class);
    gaveUp.cancel(false);

    transport.sent.get(0).complete(new FakeResponse<>("ok", null));

    assertThat(transport.sent).as("the fourth takes the freed stream, the third never goes out").hasSize(3);
    assertThat(after).isNotDone();
    assertThat(budget.open()).isEqualTo(2);
  }

  @Test
  void aWatchGivenUpWhileOutIsCancelledWhenItsResponseComes() {
    CompletableFuture<HttpResponse<AsyncBody>> watch = client.consumeBytes(null, (buffers, body) -> { });
    watch.cancel(false);
    FakeBody body = new FakeBody();

    transport.sent.get(0).complete(new FakeResponse<>(body, null));

    assertThat(body.done).isCancelled();
    assertThat(budget.open()).isZero();
  }

  @Test
  void aDerivedClientSharesTheBudget() {
    HttpClient derived = client.newBuilder().tag("informer").build();
    client.sendAsync(null, String.class);
    derived.sendAsync(null, String.class);
    derived.sendAsync(null, String.class);

    assertThat(transport.sent).hasSize(2);
    assertThat(budget.waiting()).isEqualTo(1);
  }

  /** Records each request and leaves it open until the test answers it. */
  private static final class FakeTransport implements HttpClient {
    final List<CompletableFuture<HttpResponse<?>>> sent = new ArrayList<>();

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, Class<T> type) {
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
      FakeTransport self = this;
      return new DerivedClientBuilder() {
        @Override
        public HttpClient build() {
          return self;
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

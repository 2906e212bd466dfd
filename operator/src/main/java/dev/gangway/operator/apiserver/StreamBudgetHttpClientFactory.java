package dev.gangway.operator.apiserver;

import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.TlsVersion;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds clients of another factory, each wrapped in a {@link StreamBudgetHttpClient} with connections of its own:
 * every further connection is the delegate's builder built again with the same settings.
 */
public final class StreamBudgetHttpClientFactory implements HttpClient.Factory {
  private static final Logger LOG = LoggerFactory.getLogger(StreamBudgetHttpClientFactory.class);
  private final HttpClient.Factory delegate;
  private final int streamsPerConnection;
  private final AtomicInteger connections = new AtomicInteger();

  public StreamBudgetHttpClientFactory(HttpClient.Factory delegate, int streamsPerConnection) {
    this.delegate = delegate;
    this.streamsPerConnection = streamsPerConnection;
  }

  /** Connections opened by the clients built here, all of them together. */
  public int connections() {
    return connections.get();
  }

  @Override
  public HttpClient.Builder newBuilder() {
    return new Builder(delegate.newBuilder());
  }

  private final class Builder implements HttpClient.Builder {
    private final HttpClient.Builder builder;

    Builder(HttpClient.Builder builder) {
      this.builder = builder;
    }

    @Override
    public HttpClient build() {
      AtomicInteger opened = new AtomicInteger();
      return new StreamBudgetHttpClient(new StreamBudget<>(streamsPerConnection, () -> {
        connections.incrementAndGet();
        if (opened.incrementAndGet() > 1) {
          // Rare and worth knowing: this many requests in flight at once (a burst, or watches streamed over HTTP).
          LOG.info("Opening HTTP/2 connection {} to the API server: every open one carries {} requests", opened.get(),
              streamsPerConnection);
        }
        return builder.build();
      }));
    }

    @Override
    public HttpClient.Builder connectTimeout(long connectTimeout, TimeUnit unit) {
      builder.connectTimeout(connectTimeout, unit);
      return this;
    }

    @Override
    public HttpClient.Builder addOrReplaceInterceptor(String name, Interceptor interceptor) {
      builder.addOrReplaceInterceptor(name, interceptor);
      return this;
    }

    @Override
    public HttpClient.Builder authenticatorNone() {
      builder.authenticatorNone();
      return this;
    }

    @Override
    public HttpClient.Builder tag(Object value) {
      builder.tag(value);
      return this;
    }

    @Override
    public HttpClient.Builder sslContext(KeyManager[] keyManagers, TrustManager[] trustManagers) {
      builder.sslContext(keyManagers, trustManagers);
      return this;
    }

    @Override
    public HttpClient.Builder followAllRedirects() {
      builder.followAllRedirects();
      return this;
    }

    @Override
    public HttpClient.Builder proxyAddress(InetSocketAddress proxyAddress) {
      builder.proxyAddress(proxyAddress);
      return this;
    }

    @Override
    public HttpClient.Builder proxyAuthorization(String credentials) {
      builder.proxyAuthorization(credentials);
      return this;
    }

    @Override
    public HttpClient.Builder tlsVersions(TlsVersion... tlsVersions) {
      builder.tlsVersions(tlsVersions);
      return this;
    }

    @Override
    public HttpClient.Builder preferHttp11() {
      builder.preferHttp11();
      return this;
    }

    @Override
    public HttpClient.Builder proxyType(HttpClient.ProxyType type) {
      builder.proxyType(type);
      return this;
    }
  }
}

package dev.gangway.operator.apiserver;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Which connection to the API server a request goes out on. Over HTTP/2 every request in flight is a stream of one
 * connection, and the API server allows a fixed number per connection (about 100 by default, measured);
 * java.net.http fails a request beyond it with "too many concurrent streams" instead of opening another connection
 * (JDK-8225647). So each connection carries at most {@code streamsPerConnection} at once, and a request that finds
 * every connection full opens one more, as Go's HTTP/2 transport (client-go's) does. Never waits: a watch streamed
 * over HTTP (Fabric8's fallback where WebSockets are refused) holds its stream for minutes, and waiting behind such
 * watches could be for good.
 *
 * @param <C> a connection (for the operator, an HTTP client of its own)
 */
final class StreamBudget<C> {
  private final int streamsPerConnection;
  private final Supplier<C> connect;
  private final List<Connection<C>> connections = new ArrayList<>();
  private final C first;

  /**
   * @param streamsPerConnection streams one connection may carry at once
   * @param connect opens a connection: once here, then whenever every open one is full
   */
  StreamBudget(int streamsPerConnection, Supplier<C> connect) {
    if (streamsPerConnection < 1) {
      throw new IllegalArgumentException("a connection needs at least 1 stream, got " + streamsPerConnection);
    }
    this.streamsPerConnection = streamsPerConnection;
    this.connect = connect;
    first = connect.get();
    connections.add(new Connection<>(first));
  }

  /**
   * A stream on the oldest connection that has one free, so the first connection stays the busy (warm) one and
   * those a burst opened sit idle after it; each grant needs exactly one {@link #release}.
   */
  synchronized Connection<C> acquire() {
    for (Connection<C> connection : connections) {
      if (connection.open < streamsPerConnection) {
        connection.open++;
        return connection;
      }
    }
    Connection<C> opened = new Connection<>(connect.get());
    opened.open = 1;
    connections.add(opened);
    return opened;
  }

  synchronized void release(Connection<C> connection) {
    if (connection.open == 0) {
      throw new IllegalStateException("a stream was given back twice");
    }
    connection.open--;
  }

  /** Streams open on all connections. */
  synchronized int open() {
    return connections.stream().mapToInt(connection -> connection.open).sum();
  }

  /** The connection opened first, without taking the lock every request takes. */
  C first() {
    return first;
  }

  /** Every connection opened, the first first (there is always one). */
  synchronized List<C> connections() {
    return connections.stream().map(Connection::client).toList();
  }

  /** One connection and how many streams it carries now. */
  static final class Connection<C> {
    private final C client;
    private int open;

    private Connection(C client) {
      this.client = client;
    }

    C client() {
      return client;
    }
  }
}

package dev.gangway.leadership;

import java.util.Optional;

/**
 * The Lease holder identity a replica writes when it leads: {@code <replica>@<host>:<port>}, where
 * {@code <replica>} is {@code <pod-or-host>-<pid>}.
 * The part after the last {@code @} is where its HTTP server answers, so a follower can forward a
 * check-in to the leader by reading the Lease. An identity without an address (an older operator,
 * another tool) names no reachable leader.
 */
public final class LeaderIdentity {

  private LeaderIdentity() {
  }

  /** Where a replica's HTTP server answers; {@code host} is an IP or DNS name, an IPv6 literal without brackets. */
  public record Address(String host, int port) {
    public Address {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host is empty");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
      }
    }

    /** {@code http://host:port}, IPv6 in brackets. */
    public String baseUrl() {
      return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
      return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }

    /**
     * Reads {@code host:port}, {@code [v6]:port} or {@code v6:port}.
     *
     * @throws IllegalArgumentException naming what is wrong, e.g. for the advertise-address setting
     */
    public static Address parse(String text) {
      if (text == null || text.isBlank()) {
        throw new IllegalArgumentException("address is empty; expected host:port");
      }
      String value = text.strip();
      String host;
      String port;
      if (value.startsWith("[")) {
        int close = value.indexOf(']');
        if (close < 0 || close + 1 >= value.length() || value.charAt(close + 1) != ':') {
          throw new IllegalArgumentException("address '" + text + "' is not [ipv6]:port");
        }
        host = value.substring(1, close);
        port = value.substring(close + 2);
      } else {
        // The port follows the last colon, so an unbracketed IPv6 address (the chart's $(POD_IP):8080) works too.
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
          throw new IllegalArgumentException("address '" + text + "' is not host:port");
        }
        host = value.substring(0, colon);
        port = value.substring(colon + 1);
      }
      try {
        return new Address(host, Integer.parseInt(port));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("address '" + text + "' has no numeric port");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("address '" + text + "': " + e.getMessage());
      }
    }
  }

  /** The name of this process: unique per process, so two replicas on one host never share one. */
  public static String replicaName(String hostName, long pid) {
    return hostName + "-" + pid;
  }

  /** @param replica from {@link #replicaName} */
  public static String of(String replica, Address advertised) {
    return replica + "@" + advertised;
  }

  /** The leader's address named in a Lease holder identity; empty when it names none. */
  public static Optional<Address> addressOf(String identity) {
    if (identity == null) {
      return Optional.empty();
    }
    int at = identity.lastIndexOf('@');
    if (at < 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(Address.parse(identity.substring(at + 1)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}

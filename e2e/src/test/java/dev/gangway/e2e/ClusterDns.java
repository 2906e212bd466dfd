package dev.gangway.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Hashtable;
import java.util.Set;
import java.util.TreeSet;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * Cluster DNS as pods meet it: CoreDNS (built by build-tools.sh with its kubernetes plugin) serving
 * {@code cluster.local} from the e2e API server's Services and EndpointSlices, on 127.0.0.1 at a free
 * port, queried over UDP by the JDK's DNS client (JNDI), not through this machine's resolver. Stopped
 * through its Process handle, so only the process this class started ends.
 */
final class ClusterDns implements AutoCloseable {
  static final String DOMAIN = "cluster.local";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private final Process process;
  private final int port;
  private final Path log;

  private ClusterDns(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts CoreDNS against the cluster's kubeconfig and waits until it answers for the API server's own
   * Service ({@code kubernetes.default}), i.e. its informers have synced.
   */
  static ClusterDns start(LocalCluster cluster) {
    try {
      Path dir = Files.createTempDirectory(E2eEnvironment.WORK, "coredns");
      int port = freePort();
      Path corefile = dir.resolve("Corefile");
      Files.writeString(corefile, """
          %s:%d {
            bind 127.0.0.1
            errors
            kubernetes %s {
              kubeconfig %s
            }
          }
          """.formatted(DOMAIN, port, DOMAIN, cluster.kubeconfig()));
      Path log = dir.resolve("coredns.log");
      Process process = new ProcessBuilder(cluster.binary("coredns").toString(), "-conf", corefile.toString())
          .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      ClusterDns dns = new ClusterDns(process, port, log);
      dns.awaitServing();
      return dns;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitServing() {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    String probe = "kubernetes.default.svc." + DOMAIN;
    while (addresses(probe).isEmpty()) {
      if (!process.isAlive() || Instant.now().isAfter(deadline)) {
        String tail = logTail();
        close();
        throw new IllegalStateException("CoreDNS did not answer for " + probe + " on 127.0.0.1:" + port + "; log " + log + ":\n" + tail);
      }
      sleep(Duration.ofMillis(300));
    }
  }

  /**
   * The IPv4 addresses of an A query for {@code name} (fully qualified); empty for NXDOMAIN or no answer.
   */
  Set<String> addresses(String name) {
    Hashtable<String, String> env = new Hashtable<>();
    env.put(DirContext.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
    env.put(DirContext.PROVIDER_URL, "dns://127.0.0.1:" + port);
    env.put("com.sun.jndi.dns.timeout.initial", "500");
    env.put("com.sun.jndi.dns.timeout.retries", "3");
    Set<String> found = new TreeSet<>();
    try {
      DirContext context = new InitialDirContext(env);
      try {
        Attribute a = context.getAttributes(name + ".", new String[] {"A"}).get("A");
        if (a != null) {
          NamingEnumeration<?> values = a.getAll();
          while (values.hasMore()) {
            found.add(values.next().toString());
          }
        }
      } finally {
        context.close();
      }
    } catch (NamingException e) {
      // NXDOMAIN, or no answer yet (CoreDNS still syncing, a timeout on a loaded machine): the caller polls.
      found.clear();
    }
    return found;
  }

  String logTail() {
    try {
      String text = Files.exists(log) ? Files.readString(log) : "";
      return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** A port free for both TCP and UDP on 127.0.0.1 right now (CoreDNS listens on both). */
  private static int freePort() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int i = 0; i < 20; i++) {
      try (ServerSocket tcp = new ServerSocket(0, 1, loopback)) {
        int port = tcp.getLocalPort();
        try (DatagramSocket udp = new DatagramSocket(port, loopback)) {
          return port;
        } catch (IOException taken) {
          // UDP side in use: try another.
        }
      }
    }
    throw new IOException("no port free for both TCP and UDP on 127.0.0.1");
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

package dev.gangway.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A watch of one namespace's pods (Fabric8's, on the cluster's admin kubeconfig), each event handed on with the time it
 * reached this JVM: event-driven timing, no polling. It replaced a {@code kubectl get pods --watch} child process, which
 * ended silently (no stderr, no parse error) seconds into the first Kueue replay on 2026-12-02, so its events were lost.
 */
public final class PodWatch implements AutoCloseable {

  /** Receives each event; called from the watch's thread. */
  public interface Listener {
    void event(String type, Pod pod, long nanos);
  }

  private final KubernetesClient client;
  private final Path stderr;
  private volatile Watch watch;
  private volatile boolean alive = true;
  private volatile long events;

  private PodWatch(KubernetesClient client, Path stderr) {
    this.client = client;
    this.stderr = stderr;
  }

  public static PodWatch start(ClusterUnderTest cluster, String namespace, Path stderr, Listener listener) {
    KubernetesClient client;
    try {
      client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(cluster.kubeconfig()))).build();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the cluster's kubeconfig for the pod watch", e);
    }
    PodWatch w = new PodWatch(client, stderr);
    w.watch = client.pods().inNamespace(namespace).watch(new Watcher<Pod>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        long now = System.nanoTime();
        if (action != Action.ADDED && action != Action.MODIFIED && action != Action.DELETED) return;
        try {
          listener.event(action.name(), pod, now);
          w.events++;
        } catch (RuntimeException e) {
          w.stopped("the listener failed on " + action + " " + pod.getMetadata().getName() + ": " + e);
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        w.stopped("the watch closed: " + cause);
      }
    });
    return w;
  }

  /** A watch that stops loses the run's timing: say why in the stderr file (the driver fails on a dead watch). */
  private void stopped(String why) {
    alive = false;
    try {
      Files.writeString(stderr, why + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("pod watch stopped (" + why + "); could not write " + stderr + ": " + e);
    }
  }

  /** Events handed on so far. */
  public long events() {
    return events;
  }

  public boolean isAlive() {
    return alive;
  }

  @Override
  public void close() {
    if (watch != null) watch.close();
    client.close();
  }
}

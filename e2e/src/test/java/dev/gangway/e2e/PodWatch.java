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
  private volatile Watch jobWatch;
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
    w.watch = client.pods().inNamespace(namespace).watch(w.handing("", listener::event));
    return w;
  }

  /** Receives each TrainingJob event; called from the watch's thread. */
  public interface JobListener {
    void event(String type, dev.gangway.api.v1alpha1.TrainingJob job, long nanos);
  }

  /** Also watches the namespace's TrainingJobs (their status steps), on the same client; its loss stops this watch too. */
  public PodWatch withTrainingJobs(String namespace, JobListener listener) {
    jobWatch = client.resources(dev.gangway.api.v1alpha1.TrainingJob.class).inNamespace(namespace)
        .watch(handing("TrainingJob ", listener::event));
    return this;
  }

  private interface Handler<T> {
    void event(String type, T object, long nanos);
  }

  /** Hands each added, changed or deleted object on with its arrival time; a failing listener or a closed watch stops it. */
  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> Watcher<T> handing(String kind, Handler<T> handler) {
    return new Watcher<T>() {
      @Override
      public void eventReceived(Action action, T object) {
        long now = System.nanoTime();
        if (action != Action.ADDED && action != Action.MODIFIED && action != Action.DELETED) return;
        try {
          handler.event(action.name(), object, now);
          events++;
        } catch (RuntimeException e) {
          stopped("the listener failed on " + kind + action + " " + object.getMetadata().getName() + ": " + e);
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        stopped("the " + kind + "watch closed: " + cause);
      }
    };
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
    if (jobWatch != null) jobWatch.close();
    client.close();
  }
}

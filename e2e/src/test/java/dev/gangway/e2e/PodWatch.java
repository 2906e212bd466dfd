package dev.gangway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kubectl get pods --watch} on one namespace as a child process, each event handed on with the time it reached
 * this JVM: event-driven timing, no polling. Stopped by its process handle.
 */
public final class PodWatch implements AutoCloseable {

  /** Receives each event; called from the watch's reader thread. */
  public interface Listener {
    void event(String type, Pod pod, long nanos);
  }

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final Process process;
  private final Thread reader;
  private final Thread shutdownHook;
  private volatile long events;

  private PodWatch(Process process, Listener listener) {
    this.process = process;
    this.shutdownHook = ChildProcess.killOnExit(process);
    this.reader = new Thread(() -> read(listener), "pod-watch");
    reader.setDaemon(true);
    reader.start();
  }

  public static PodWatch start(ClusterUnderTest cluster, String namespace, Path stderr, Listener listener) {
    List<String> command = new ArrayList<>(List.of(cluster.binary("kubectl").toString(), "get", "pods", "-n", namespace, "--watch",
        "--output-watch-events", "-o", "json", "--request-timeout=0"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    pb.environment().putAll(cluster.env());
    try {
      return new PodWatch(pb.start(), listener);
    } catch (IOException e) {
      throw new IllegalStateException("could not start kubectl's pod watch: " + e.getMessage(), e);
    }
  }

  private void read(Listener listener) {
    try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(process.getInputStream())) {
      while (it.hasNext()) {
        JsonNode event = it.next();
        long now = System.nanoTime();
        JsonNode object = event.path("object");
        // kubectl hands the initial list over as one ADDED event whose object is a List.
        Iterable<JsonNode> pods = object.has("items") ? object.get("items") : List.of(object);
        for (JsonNode item : pods) {
          Pod pod = JSON.treeToValue(item, Pod.class);
          if (pod.getMetadata() != null) listener.event(event.path("type").asText(), pod, now);
        }
        events++;
      }
    } catch (IOException | RuntimeException e) {
      // A watch that stops loses the run's timing: say why (the driver fails on a dead watch).
      System.err.println("pod watch stopped reading: " + e);
      process.destroy();
    }
  }

  /** Events handed on so far. */
  public long events() {
    return events;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    ChildProcess.stop(process, Duration.ofSeconds(5), shutdownHook);
    try {
      reader.join(Duration.ofSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.gangway.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.cache.LeanReading;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one pod event of the operator's watch costs to read, as Fabric8 reads it by itself ({@code fabric8}: the object
 * into a JSON tree, then the tree into a Pod, managedFields included) and with {@link LeanReading} ({@code lean}). The
 * event is a rank pod of the e2e superpod cluster, Running, as the API server sent it (7.4 kB, 3.3 kB of it
 * managedFields), read from the same text message the watch's WebSocket hands Fabric8.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class WatchEventReadingBenchmark {

  @Param({"fabric8", "lean"})
  public String reading;

  private KubernetesSerialization serialization;
  private String event;

  @Setup
  public void setUp() throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    if (reading.equals("lean")) {
      mapper.registerModule(new LeanReading());
    }
    serialization = new KubernetesSerialization(mapper, true);
    try (InputStream in = WatchEventReadingBenchmark.class.getResourceAsStream("/pod-watch-event.json")) {
      event = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Benchmark
  public WatchEvent read() {
    return serialization.unmarshal(event, WatchEvent.class);
  }
}

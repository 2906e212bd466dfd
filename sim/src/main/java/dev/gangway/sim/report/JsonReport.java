package dev.gangway.sim.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gangway.sim.run.PolicyResult;
import dev.gangway.sim.run.Scenario;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** results.json: the options, the scenario in numbers, and every policy's result. */
public final class JsonReport {

  private JsonReport() {
  }

  public static void write(Path file, Scenario scenario, Map<String, String> options, List<PolicyResult> results) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("options", new TreeMap<>(options));
    Map<String, Object> sc = new LinkedHashMap<>();
    sc.put("cluster", scenario.cluster().name());
    sc.put("nodes", scenario.cluster().nodes().count());
    sc.put("gpusPerNode", scenario.cluster().nodes().gpus());
    sc.put("horizonHours", scenario.horizon() / 3_600_000.0);
    sc.put("faults", scenario.faults().size());
    sc.put("jobs", scenario.jobs().size());
    sc.put("seed", scenario.seed());
    sc.put("costs", scenario.costs());
    root.put("scenario", sc);
    root.put("results", results);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }
}

package dev.gangway.sim.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.failure.FailureProfile;
import dev.gangway.sim.fleet.ClusterDescription;
import dev.gangway.sim.policy.Costs;
import dev.gangway.sim.policy.Policy;
import dev.gangway.sim.run.PolicyResult;
import dev.gangway.sim.run.Scenario;
import dev.gangway.sim.run.ScenarioBuilder;
import dev.gangway.sim.run.Simulation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {

  @Test
  void writesTheTablesJsonAndThreePngCharts(@TempDir Path dir) throws Exception {
    Scenario s = ScenarioBuilder.build(ClusterDescription.read(Path.of("../e2e/clusters/small.yaml")),
        FailureProfile.llama3(Path.of("../../shared/data/failures/llama3-table5.csv")).scaled(50), null,
        new ScenarioBuilder.Workload(64, Durations.minutes(5), Durations.minutes(2), Durations.minutes(3), 0.8, 4, 2), 5,
        Costs.standard(), 16, 7);
    List<PolicyResult> results = Policy.compared(60, 2, false).stream().map(p -> new Simulation(s, p).run()).toList();

    String text = TextReport.render(results);
    assertThat(text).contains("| naive |", "| gangway-defaults |", "| gangway-tuned |", "restarts by the cause Gangway classified");

    JsonReport.write(dir.resolve("results.json"), s, Map.of("days", "5"), results);
    JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
    assertThat(json.at("/results/2/policy/name").asText()).isEqualTo("gangway-tuned");
    assertThat(json.at("/results/0/large/ettr").asDouble()).isEqualTo(results.get(0).large().ettr());

    List<Path> charts = Charts.write(dir, results);
    assertThat(charts).hasSize(3);
    for (Path p : charts) {
      byte[] head = Files.readAllBytes(p);
      assertThat(head).as(p.toString()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }
  }
}

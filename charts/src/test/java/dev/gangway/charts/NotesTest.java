package dev.gangway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NOTES.txt is only shown by `helm install/upgrade`, which need a cluster. To render it here, a copy of
 * the chart turns it into a named template and emits it in a ConfigMap that `helm template` prints.
 */
class NotesTest {

  private static final Path COPY = Path.of("target", "notes-chart", "gangway").toAbsolutePath();

  @BeforeAll
  static void copyChartWithNotesAsATemplate() throws IOException {
    if (Files.exists(COPY)) {
      try (Stream<Path> old = Files.walk(COPY)) {
        for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    try (Stream<Path> files = Files.walk(Helm.CHART_DIR)) {
      for (Path source : files.toList()) {
        Path target = COPY.resolve(Helm.CHART_DIR.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else if (!source.getFileName().toString().equals("NOTES.txt")) {
          Files.copy(source, target);
        }
      }
    }
    String notes = Files.readString(Helm.CHART_DIR.resolve("templates/NOTES.txt"));
    Files.writeString(COPY.resolve("templates/_notes_under_test.tpl"),
        "{{- define \"gangway.test.notes\" -}}\n" + notes + "{{- end }}\n");
    Files.writeString(COPY.resolve("templates/notes-under-test.yaml"), """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: notes-under-test
        data:
          notes: |
            {{- include "gangway.test.notes" . | nindent 4 }}
        """);
  }

  @Test
  void defaultNotesSayWhatToDoNext() {
    String notes = render();
    assertThat(notes)
        .contains("It reconciles TrainingJobs in every namespace.")
        .contains("kubectl -n gangway-system rollout status deployment/gangway")
        .contains("kubectl -n gangway-system get lease gangway-leader")
        .contains("kubectl get trainingjobs -w")
        .contains("Messaging is in-memory")
        .contains("kubectl apply --server-side --force-conflicts -f /tmp/gangway-chart/gangway/crds/")
        .doesNotContain("tainting is ON");
  }

  @Test
  void notesFollowTheValues() {
    String notes = render("--set", "watchNamespaces={team-a,team-b}", "--set", "messaging.type=kafka",
        "--set", "messaging.kafka.bootstrapServers=kafka:9092", "--set", "nodeHealth.taintNodes=true",
        "--set", "defaultTopology.enabled=true", "--set", "serviceMonitor.enabled=true");
    assertThat(notes)
        .contains("It reconciles TrainingJobs in: team-a, team-b.")
        .contains("Kafka topic \"gangway.checkpoints\"")
        .contains("on kafka:9092")
        .contains("Node tainting is ON")
        .contains("The chart created ClusterTopology \"default\"")
        .contains("(scraped through the ServiceMonitor)");
  }

  private static String render(String... args) {
    List<String> command = new ArrayList<>(List.of("template", Helm.RELEASE, COPY.toString(), "--namespace", Helm.NAMESPACE,
        "--kube-version", Helm.KUBE_VERSION, "--show-only", "templates/notes-under-test.yaml"));
    command.addAll(List.of(args));
    String out = Helm.run(command).assertSucceeded().stdout();
    Map<String, Object> configMap = Manifests.parse(out).one("ConfigMap", "notes-under-test");
    return (String) Manifests.map(configMap, "data").get("notes");
  }
}

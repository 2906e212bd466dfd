package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.e2e.fuzz.ManifestMutator;
import dev.gangway.e2e.rbac.AuditedRequest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Seeded mutations of valid TrainingJob manifests, applied with kubectl to the real API server with the packaged
 * operator running: each is refused with a message, or accepted and then handled — Running, Succeeded or Suspended,
 * Failed with a reason, or waiting with a reason it names — never an operator crash (same process, alive), a hot loop
 * (status writes per job bounded while nothing changes) or a stuck job; deleting them leaves no pod behind.
 *
 * <p>Bounded in count: {@code -Dgangway.fuzz.manifests=N} (default 24, in batches of 8), {@code -Dgangway.fuzz.seed=S}.
 */
@ExtendWith(E2eEnvironment.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestFuzzE2eTest {
  private static final long SEED = Long.getLong("gangway.fuzz.seed", 20261202L);
  private static final int MANIFESTS = Integer.getInteger("gangway.fuzz.manifests", 24);
  private static final int BATCH = 8;
  private static final Duration HANDLED_WITHIN = Duration.ofSeconds(90);
  /**
   * How long a batch is watched once every job is handled, and the status writes a job may make in it. A job whose
   * reconcile keeps failing for a cause a person fixes later (a missing PriorityClass, a quota) is retried with a
   * backoff of 2 s doubling (operator application.properties), and an event of its own objects retries it at once:
   * a window that opens at its first failure holds up to five attempts (seen: +0, +0.5, +3.0, +5.2, +9.5 s), each
   * of which may write the status. A loop without backoff writes dozens.
   */
  private static final Duration QUIET = Duration.ofSeconds(10);
  private static final int MAX_STATUS_WRITES_WHILE_QUIET = 6;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final E2eEnvironment env;
  private final LocalCluster cluster;
  private Kube kube;

  ManifestFuzzE2eTest(E2eEnvironment env) {
    this.env = env;
    this.cluster = env.cluster();
  }

  @BeforeAll
  void namespace() {
    cluster.kubectlOk("apply", "-f", cluster.topology().toString());
    kube = Kube.inFreshNamespace(cluster, "fuzz");
  }

  @AfterAll
  void freeTheCluster() {
    kube.deleteNamespace(Duration.ofSeconds(120));
  }

  @Test
  void everyMutantIsRefusedWithAMessageOrHandledWithoutCrashHotLoopStuckJobOrLeakedPod() {
    OperatorProcess operator = env.operator();
    long pid = operator.pid();
    ManifestMutator mutator = new ManifestMutator(SEED);
    Map<String, Integer> outcomes = new TreeMap<>();
    int refused = 0;
    int accepted = 0;
    int maxWrites = 0;
    long reconcilesBefore = reconciles(operator);
    for (int start = 0; start < MANIFESTS; start += BATCH) {
      Map<String, ManifestMutator.Mutant> applied = new LinkedHashMap<>();
      for (int i = start; i < Math.min(MANIFESTS, start + BATCH); i++) {
        ManifestMutator.Mutant mutant = mutator.next("fz" + i);
        Command.Result result = kube.tryApply(mutant.json());
        if (result.exitCode() != 0) {
          refused++;
          assertThat(result.stderr().strip()).as("refusal of %s (seed %d): %s", mutant.description(), SEED, mutant.json())
              .isNotBlank().containsAnyOf("invalid", "Invalid", "denied", "forbidden", "Forbidden", "error", "Error");
          outcomes.merge("refused: " + refusal(result.stderr()), 1, Integer::sum);
        } else {
          accepted++;
          applied.put(storedName(mutant), mutant);
        }
      }
      Map<String, String> handled = new LinkedHashMap<>();
      await("every accepted mutant handled").atMost(HANDLED_WITHIN).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
        handled.clear();
        List<String> stuck = new ArrayList<>();
        for (Map.Entry<String, ManifestMutator.Mutant> e : applied.entrySet()) {
          Command.Result got = cluster.kubectl("get", "tj", e.getKey(), "-n", kube.namespace(), "-o", "json");
          // Only ttlSecondsAfterFinished deletes a job: a finished one, handled.
          String verdict = got.exitCode() != 0 && got.stderr().contains("NotFound") ? "finished and deleted by its TTL"
              : verdict(JSON.readTree(got.assertOk().stdout()));
          if (verdict == null) {
            stuck.add(e.getKey() + " [" + e.getValue().description() + "]: " + kube.describe(e.getKey()).lines().findFirst().orElse(""));
          } else {
            handled.put(e.getKey(), verdict);
          }
        }
        assertThat(stuck).as("accepted but neither running, failed with a reason nor waiting with one (seed %d)", SEED).isEmpty();
      });
      handled.values().forEach(v -> outcomes.merge("accepted: " + v, 1, Integer::sum));
      // An exception the operator did not expect (a bug, not the API server's answer) is no way to handle a job.
      handled.forEach((job, verdict) -> assertThat(verdict).as("%s [%s] (seed %d)", job, applied.get(job).description(), SEED)
          .isNotEqualTo("ReconcileError InternalError"));

      long offset = auditLogSize();
      await().pollDelay(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> true);
      Map<String, Integer> writes = statusWritesSince(offset);
      for (String job : applied.keySet()) {
        int n = writes.getOrDefault(job, 0);
        maxWrites = Math.max(maxWrites, n);
        assertThat(n).as("status writes of %s [%s] in %d s with nothing changing (seed %d)", job, applied.get(job).description(),
            QUIET.toSeconds(), SEED).isLessThanOrEqualTo(MAX_STATUS_WRITES_WHILE_QUIET);
      }
      assertThat(operator.isAlive()).as("the operator is alive after batch %d (seed %d)", start / BATCH, SEED).isTrue();
      assertThat(env.operator().pid()).as("the operator was not restarted").isEqualTo(pid);

      kube.kubectl("delete", "tj", "--all", "--wait=true", "--timeout=60s");
      await("no pod of a deleted mutant left").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
          .untilAsserted(() -> assertThat(kube.get("pods", "-l", "gangway.dev/job-name").path("items")).as("pods left").isEmpty());
    }
    long reconciles = reconciles(operator) - reconcilesBefore;
    System.out.printf("[manifest-fuzz] seed %d: tried %d, refused %d, accepted %d, crashes 0, stuck 0, leaked pods 0; most status writes"
        + " of one job in %d quiet seconds: %d; reconciles %s%n", SEED, MANIFESTS, refused, accepted, QUIET.toSeconds(), maxWrites,
        reconcilesBefore < 0 ? "unreadable" : Long.toString(reconciles));
    outcomes.forEach((outcome, n) -> System.out.printf("[manifest-fuzz]   %3d %s%n", n, outcome));
    assertThat(refused + accepted).isEqualTo(MANIFESTS);
  }

  /**
   * How the job is handled, or null while it is not yet: Running, Succeeded or Suspended; Failed with its reason;
   * Pending with placement's decision (waiting with its reason, or placed with the ranks starting, kube-scheduler's reason
   * for one that cannot bind); an error condition the operator retries with backoff (its reason). A job the operator has
   * not judged (no phase, or Pending with no Placed condition) is not handled.
   */
  static String verdict(JsonNode job) {
    JsonNode status = job.path("status");
    String phase = status.path("phase").asText("");
    Map<String, JsonNode> conditions = new LinkedHashMap<>();
    status.path("conditions").forEach(c -> conditions.put(c.path("type").asText(), c));
    JsonNode error = conditions.get("ReconcileError");
    if (error != null && "True".equals(error.path("status").asText()) && !error.path("message").asText().isBlank()) {
      return "ReconcileError " + error.path("reason").asText();
    }
    switch (phase) {
      case "Running", "Succeeded", "Suspended" -> {
        return phase;
      }
      case "Failed" -> {
        JsonNode failed = conditions.get("Failed");
        String reason = failed == null ? "" : failed.path("reason").asText();
        return reason.isBlank() || failed.path("message").asText().isBlank() ? null : "Failed " + reason;
      }
      case "Pending", "Restarting" -> {
        // Placement has decided and said so: waiting for capacity or never fitting (False, with why), or placed and
        // waiting for kube-scheduler and the kubelet (True; the Running condition names the rank it waits for).
        JsonNode placed = conditions.get("Placed");
        if (placed == null || placed.path("message").asText().isBlank()) {
          return null;
        }
        if ("False".equals(placed.path("status").asText())) {
          return phase + ", Placed=False " + placed.path("reason").asText();
        }
        JsonNode running = conditions.get("Running");
        String waiting = running == null ? "" : running.path("message").asText();
        return waiting.contains("Unschedulable:") ? phase + ", placed; kube-scheduler cannot bind a rank"
            : phase + ", placed; ranks starting";
      }
      default -> {
        return null;
      }
    }
  }

  /** The name the API server stored the mutant under (its manifest's metadata.name). */
  private static String storedName(ManifestMutator.Mutant mutant) {
    try {
      return JSON.readTree(mutant.json()).path("metadata").path("name").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The refusal's kind, for the counts: the first words of kubectl's error after the object's name. */
  private static String refusal(String stderr) {
    String line = stderr.strip().lines().findFirst().orElse("");
    if (line.contains("ValidatingAdmissionPolicy")) return "admission policy";
    if (line.contains("strict decoding error") || line.contains("unknown field")) return "unknown field";
    if (line.contains("Invalid value") || line.contains("is invalid")) return "schema or CEL";
    if (line.contains("cannot unmarshal") || line.contains("json:")) return "wrong type";
    return line.length() > 60 ? line.substring(0, 60) : line;
  }

  private long auditLogSize() {
    return cluster.auditLog().toFile().length();
  }

  /** Status writes (update or patch of trainingjobs/status) in this class's namespace since {@code offset}, per job. */
  private Map<String, Integer> statusWritesSince(long offset) {
    Path log = cluster.auditLog();
    List<String> lines = new ArrayList<>();
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      file.seek(offset);
      byte[] rest = new byte[(int) (file.length() - offset)];
      file.readFully(rest);
      new String(rest, StandardCharsets.UTF_8).lines().forEach(lines::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Integer> writes = new TreeMap<>();
    AuditedRequest.of(lines, "admin").stream()
        .filter(r -> kube.namespace().equals(r.namespace()) && "trainingjobs/status".equals(r.resource())
            && (r.verb().equals("update") || r.verb().equals("patch")))
        .forEach(r -> writes.merge(r.name(), 1, Integer::sum));
    return writes;
  }

  /** Reconciles the operator has started, as the Java Operator SDK's Micrometer metrics count them; -1 when unreadable. */
  private static long reconciles(OperatorProcess operator) {
    try {
      return (long) operator.metricSum(OperatorProcess.RECONCILES_STARTED);
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}

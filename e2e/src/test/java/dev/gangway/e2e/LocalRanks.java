package dev.gangway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gang's rank pods, as the packaged operator created them, run as local processes by
 * e2e/clients/run-ranks.sh: each rank gets exactly its pod's environment, and its DNS name
 * ({@code <hostname>.<subdomain>.<namespace>.svc}, read from the pod spec as cluster DNS would) resolves
 * to an address of its own, 127.0.0.(rank+1), so ranks cannot collide on ports; its short hostname
 * resolves in its own /etc/hosts only, as kubelet writes it; the ConfigMaps and
 * Secrets the pods mount under /etc are there with the API server's content.
 */
final class LocalRanks {
  // mpirun forwards each process's output in chunks, so two ranks' lines can share one line
  // ("host=ds-1RESULT client=..."): a host ends where the next report begins.
  private static final Pattern RESULT =
      Pattern.compile("RESULT client=(\\S+) world=(\\d+) rank=(\\d+) sum=(\\d+)(?: host=((?:(?!RESULT)\\S)+))?");
  private final Path dir;
  private final int ranks;

  /** One process's report: the world it joined, its rank in it, the all-reduced sum of all ranks, its host. */
  record Report(String client, int world, int rank, long sum, String host) {
  }

  /** What a run left: the launcher's exit status, each rank's output and the reports in it. */
  record Run(int exitCode, Map<Integer, String> output, List<Report> reports) {
    String describe() {
      StringBuilder text = new StringBuilder("exit " + exitCode);
      output.forEach((rank, out) -> text.append("\n--- rank ").append(rank).append(" ---\n").append(out));
      return text.toString();
    }
  }

  private LocalRanks(Path dir, int ranks) {
    this.dir = dir;
    this.ranks = ranks;
  }

  /**
   * @param pods the rank pods of one attempt
   * @param kube reads the ConfigMaps and Secrets the pods mount under /etc, as the kubelet would
   */
  static LocalRanks of(List<JsonNode> pods, Kube kube) {
    return of(pods, kube, false);
  }

  /**
   * As {@link #of}, but each rank runs in a network namespace of its own with its pod's IP (as KWOK
   * assigned it) on a non-loopback interface, the ranks joined by a bridge: a pod network. For launchers
   * that refuse loopback between hosts (Open MPI 5's PRRTE daemons).
   */
  static LocalRanks onPodNetwork(List<JsonNode> pods, Kube kube) {
    return of(pods, kube, true);
  }

  private static LocalRanks of(List<JsonNode> pods, Kube kube, boolean podNetwork) {
    try {
      Path dir = Files.createTempDirectory(E2eEnvironment.WORK, "ranks");
      List<JsonNode> byRank = pods.stream()
          .sorted(Comparator.comparingInt(p -> p.path("metadata").path("labels").path("gangway.dev/rank").asInt())).toList();
      StringBuilder hosts = new StringBuilder();
      for (JsonNode pod : byRank) {
        int rank = pod.path("metadata").path("labels").path("gangway.dev/rank").asInt();
        JsonNode spec = pod.path("spec");
        String hostname = spec.path("hostname").asText();
        String fqdn = hostname + "." + spec.path("subdomain").asText() + "." + pod.path("metadata").path("namespace").asText() + ".svc";
        String address = podNetwork ? pod.path("status").path("podIP").asText() : "127.0.0." + (rank + 1);
        if (address.isEmpty()) {
          throw new IllegalStateException("rank " + rank + " has no pod IP yet");
        }
        hosts.append(address).append(' ').append(fqdn).append('\n');
        // Only the pod itself resolves its short hostname (kubelet's /etc/hosts), never another rank's.
        Files.writeString(dir.resolve("rank-" + rank + ".hosts"), address + " " + fqdn + " " + hostname + "\n");
        Files.writeString(dir.resolve("rank-" + rank + ".hostname"), hostname);
        StringBuilder env = new StringBuilder();
        for (JsonNode var : spec.path("containers").get(0).path("env")) {
          env.append(var.path("name").asText()).append('=').append(var.path("value").asText()).append('\n');
        }
        Files.writeString(dir.resolve("rank-" + rank + ".env"), env);
      }
      Files.writeString(dir.resolve("hosts"), hosts);
      if (podNetwork) {
        Files.writeString(dir.resolve("pod-network"), "");
      }
      // Every rank mounts the same objects; one /etc serves them all.
      mountUnderEtc(byRank.get(0), kube, dir.resolve("etc"));
      return new LocalRanks(dir, byRank.size());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The files of the ConfigMaps and Secrets the main container mounts under /etc. */
  private static void mountUnderEtc(JsonNode pod, Kube kube, Path etc) throws IOException {
    Map<String, JsonNode> volumes = new LinkedHashMap<>();
    pod.path("spec").path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
    for (JsonNode mount : pod.path("spec").path("containers").get(0).path("volumeMounts")) {
      String path = mount.path("mountPath").asText();
      JsonNode volume = volumes.get(mount.path("name").asText());
      if (!path.startsWith("/etc/") || volume == null) {
        continue;
      }
      Path target = Files.createDirectories(etc.resolve(path.substring("/etc/".length())));
      if (volume.has("configMap")) {
        kube.get("configmap", volume.path("configMap").path("name").asText()).path("data").fields()
            .forEachRemaining(f -> write(target.resolve(f.getKey()), f.getValue().asText().getBytes(StandardCharsets.UTF_8), false));
      } else if (volume.has("secret")) {
        kube.get("secret", volume.path("secret").path("secretName").asText()).path("data").fields()
            .forEachRemaining(f -> write(target.resolve(f.getKey()), Base64.getDecoder().decode(f.getValue().asText()), true));
      }
    }
  }

  private static void write(Path file, byte[] content, boolean secret) {
    try {
      Files.write(file, content);
      if (secret) {
        // A Secret volume's files are private to the pod's user (ssh refuses a readable private key).
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The environment rank {@code rank}'s pod was given, as written for it. */
  Map<String, String> env(int rank) {
    try {
      Map<String, String> env = new LinkedHashMap<>();
      for (String line : Files.readAllLines(dir.resolve("rank-" + rank + ".env"))) {
        int eq = line.indexOf('=');
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
      return env;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path dir() {
    return dir;
  }

  /**
   * Starts {@code command} once per rank with that rank's pod environment (plus {@code launchEnv}: what
   * the harness itself needs, never a rendezvous variable) and waits for all of them.
   *
   * @param rank0Decides the run ends when rank 0 does (ranks that serve an MPI launcher never exit)
   */
  Run run(Map<String, String> launchEnv, boolean rank0Decides, List<String> command) {
    return start(launchEnv, rank0Decides, command).finish();
  }

  /** As {@link #run}, without waiting: the harness can act on one rank's exit while the others still run. */
  Started start(Map<String, String> launchEnv, boolean rank0Decides, List<String> command) {
    try {
      Path launch = dir.resolve("launch.env");
      StringBuilder lines = new StringBuilder();
      launchEnv.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
      Files.writeString(launch, lines);
      List<String> args = new ArrayList<>(List.of(TrainingClients.script("run-ranks.sh").toString(), dir.toString()));
      if (rank0Decides) {
        args.add("--rank0-decides");
      }
      args.add("--");
      args.addAll(command);
      return new Started(Command.start(Map.of("LAUNCH_ENV", launch.toString(), "RUN_RANKS_TIMEOUT", "240"), dir, null, args));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The ranks' processes, running. */
  final class Started {
    private final Command.Running launcher;

    private Started(Command.Running launcher) {
      this.launcher = launcher;
    }

    /**
     * Rank {@code rank}'s exit status, as soon as its process ends (run-ranks.sh writes it then), polled every
     * 20 ms: what the kubelet sees of a container.
     */
    int awaitExit(int rank, Duration wait) {
      Path exit = dir.resolve("rank-" + rank + ".exit");
      Instant deadline = Instant.now().plus(wait);
      try {
        while (!Files.exists(exit)) {
          if (Instant.now().isAfter(deadline)) {
            throw new AssertionError("rank " + rank + " still runs after " + wait.toSeconds() + " s");
          }
          Thread.sleep(20);
        }
        return Integer.parseInt(Files.readString(exit).strip());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for rank " + rank, e);
      }
    }

    /** Stops every rank's process with SIGTERM, as the kubelet stops the containers of deleted pods. */
    void stop() {
      launcher.terminate();
    }

    /** Waits for every rank (or rank 0, if it decides) and returns what the run left. */
    Run finish() {
      try {
        Command.Result result = launcher.await(Duration.ofSeconds(300));
        Map<Integer, String> output = new TreeMap<>();
        List<Report> reports = new ArrayList<>();
        for (int rank = 0; rank < ranks; rank++) {
          Path out = dir.resolve("rank-" + rank + ".out");
          String text = Files.exists(out) ? Files.readString(out) : "";
          output.put(rank, text);
          reports.addAll(reports(text));
        }
        if (!result.stderr().isBlank()) {
          output.put(-1, result.stderr());
        }
        return new Run(result.exitCode(), output, reports);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Every report line the client printed, even where mpirun ran two ranks' lines together. */
  static List<Report> reports(String output) {
    List<Report> reports = new ArrayList<>();
    Matcher m = RESULT.matcher(output);
    while (m.find()) {
      reports.add(new Report(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
          Long.parseLong(m.group(4)), m.group(5)));
    }
    return reports;
  }
}

package dev.gangway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.cache.UnreadableJobFields;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.PrintWriter;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl gangway}: Gangway's view of TrainingJobs for people on call. It reads what the
 * operator stored (status, conditions) and the cluster as the placement engine counts it, and writes
 * nothing but spec.suspend (and a checkpoint report, through the operator's intake). Uses the current
 * kubectl context (KUBECONFIG, ~/.kube/config).
 */
@Command(name = "kubectl gangway", mixinStandardHelpOptions = true, version = "kubectl-gangway 0.1.0",
    description = "See and steer Gangway TrainingJobs: why a job waits, where its ranks sit, what failures cost.",
    subcommands = {KubectlGangway.Get.class, KubectlGangway.Describe.class, KubectlGangway.Why.class, KubectlGangway.Top.class,
        KubectlGangway.Suspend.class, KubectlGangway.Resume.class, KubectlGangway.Checkpoint.class})
public final class KubectlGangway {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new KubectlGangway());
    cli.setOut(out).setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      // An API error is the user's to act on (no such job, no rights, no cluster): one line, no stack trace.
      commandLine.getErr().println("error: " + message(e));
      return 1;
    });
    return cli.execute(args);
  }

  private static volatile String server = "?";

  static String message(Exception e) {
    if (e instanceof KubernetesClientException k) {
      if (k.getStatus() != null && k.getStatus().getMessage() != null) {
        return k.getStatus().getMessage();
      }
      Throwable cause = k;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause != k) {
        return "cannot reach the Kubernetes API server at " + server + " (" + cause + "); check your kubectl context";
      }
    }
    return e.getMessage();
  }

  /** The user's kubectl context; an unreachable API server fails the command after one retry, not after a minute of backoff. */
  static KubernetesClient connect() {
    Config config = Config.autoConfigure(null);
    config.setRequestRetryBackoffLimit(1);
    server = config.getMasterUrl();
    return new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(reading()).build();
  }

  /**
   * Reads as the operator does: a stored job with a field beyond its type's range (stored before the CRD bounded it) is
   * read without that field, so it shows, failed by the operator, instead of failing every listing of its namespace.
   */
  static KubernetesSerialization reading() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.registerModule(new UnreadableJobFields());
    return new KubernetesSerialization(mapper, true);
  }

  enum Output { text, json }

  /** Options every command shares. */
  static final class Scope {
    @Option(names = {"-n", "--namespace"}, description = "Namespace (default: the context's, else 'default').")
    String namespace;

    @Option(names = {"-o", "--output"}, description = "Output format: ${COMPLETION-CANDIDATES} (default: text).")
    Output output = Output.text;

    boolean json() {
      return output == Output.json;
    }

    String namespace(KubernetesClient client) {
      return namespace != null ? namespace : client.getNamespace() != null ? client.getNamespace() : "default";
    }
  }

  abstract static class Base implements Callable<Integer> {
    @Mixin
    Scope scope = new Scope();

    @Spec
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    void print(Object value, String text) throws Exception {
      out().print(scope.json() ? JSON.writeValueAsString(value) + "\n" : text);
      out().flush();
    }

    TrainingJob job(ClusterState state, String namespace, String name) {
      return state.job(namespace, name).orElseThrow(() -> new IllegalArgumentException(
          "trainingjob " + namespace + "/" + name + " not found (kubectl gangway get -A lists them all)"));
    }
  }

  @Command(name = "get", description = "List TrainingJobs: phase, ranks ready, GPUs, attempt, restarts, what a waiting job waits on.")
  static final class Get extends Base {
    @Option(names = {"-A", "--all-namespaces"}, description = "Jobs of every namespace.")
    boolean all;

    @Parameters(paramLabel = "JOB", arity = "0..*", description = "Only these jobs, as `kubectl get` takes names (default: all).")
    List<String> names = List.of();

    @Override
    public Integer call() throws Exception {
      if (all && !names.isEmpty()) {
        // As kubectl: a name means one namespace's object.
        throw new IllegalArgumentException("a job cannot be named across all namespaces; drop -A or the names");
      }
      try (KubernetesClient client = connect()) {
        ClusterState state = ClusterReader.read(client, all ? null : scope.namespace(client), false);
        List<TrainingJob> jobs = names.isEmpty() ? state.jobs()
            : state.jobs().stream().filter(j -> names.contains(j.getMetadata().getName())).toList();
        List<JobSummary> rows = JobSummary.of(jobs, state.now());
        if (rows.isEmpty() && names.isEmpty()) {
          print(rows, "No TrainingJobs found.\n");
        } else if (!rows.isEmpty()) {
          print(rows, JobSummary.table(rows, all));
        }
        List<String> missing = names.stream().filter(n -> jobs.stream().noneMatch(j -> j.getMetadata().getName().equals(n))).distinct().toList();
        if (!missing.isEmpty()) {
          // The rows found are printed first, as kubectl does; the names it could not find end it with an error.
          String namespace = scope.namespace(client);
          throw new IllegalArgumentException(missing.stream().map(n -> "trainingjob " + namespace + "/" + n).collect(Collectors.joining(", "))
              + " not found (kubectl gangway get -A lists them all)");
        }
        return 0;
      }
    }
  }

  /** A command about one job, read with the whole cluster (the queue and GPU use are cluster-wide). */
  abstract static class OneJob extends Base {
    @Parameters(paramLabel = "JOB")
    String name;

    /** @return the value printed as JSON with -o json, and its text form */
    abstract Map.Entry<Object, String> view(TrainingJob job, ClusterState state);

    @Override
    public Integer call() throws Exception {
      try (KubernetesClient client = connect()) {
        ClusterState state = ClusterReader.read(client, null, true);
        Map.Entry<Object, String> view = view(job(state, scope.namespace(client), name), state);
        print(view.getKey(), view.getValue());
        return 0;
      }
    }
  }

  @Command(name = "describe", description = "A job's placement by topology domain, its restarts and what each cost, its last checkpoint.")
  static final class Describe extends OneJob {
    @Override
    Map.Entry<Object, String> view(TrainingJob job, ClusterState state) {
      JobReport report = JobReport.of(job, state);
      return Map.entry(report, report.text());
    }
  }

  @Command(name = "why", description = "Why a job is not running: its place in the queue, who is ahead, what the operator said.")
  static final class Why extends OneJob {
    @Override
    Map.Entry<Object, String> view(TrainingJob job, ClusterState state) {
      WaitExplanation why = WaitExplanation.of(job, state);
      return Map.entry(why, why.text());
    }
  }

  @Command(name = "top", description = "GPU use and fragmentation per topology domain at every level, as the placement engine counts it.")
  static final class Top extends Base {
    @Option(names = "--topology", description = "ClusterTopology to group by (default: 'default', else the only one).")
    String topology;

    @Override
    public Integer call() throws Exception {
      try (KubernetesClient client = connect()) {
        ClusterState state = ClusterReader.read(client, null, true);
        TrainingJob probe = new TrainingJob();
        probe.setSpec(new dev.gangway.api.v1alpha1.TrainingJobSpec());
        if (topology != null) {
          probe.getSpec().setTopology(new dev.gangway.api.v1alpha1.TopologySpec());
          probe.getSpec().getTopology().setTopologyName(topology);
        }
        List<DomainUsage> rows = DomainUsage.of(state.view().topologyFor(probe), state.nodes(), state.pods());
        print(rows, DomainUsage.table(rows));
        return 0;
      }
    }
  }

  abstract static class SuspendFlag extends Base {
    @Parameters(paramLabel = "JOB", arity = "1..*")
    List<String> names;

    Integer set(boolean suspend) throws Exception {
      try (KubernetesClient client = connect()) {
        String ns = scope.namespace(client);
        for (String name : names) {
          client.resources(TrainingJob.class).inNamespace(ns).withName(name)
              .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":" + suspend + "}}");
        }
        print(names, names.stream().map(n -> "trainingjob.gangway.dev/" + n + (suspend ? " suspended" : " resumed"))
            .collect(Collectors.joining("\n")) + "\n");
        return 0;
      }
    }
  }

  @Command(name = "suspend", description = "Suspend jobs (spec.suspend=true): the gang is torn down, its state and budget kept.")
  static final class Suspend extends SuspendFlag {
    @Override
    public Integer call() throws Exception {
      return set(true);
    }
  }

  @Command(name = "resume", description = "Resume suspended jobs (spec.suspend=false): placed again as one gang.")
  static final class Resume extends SuspendFlag {
    @Override
    public Integer call() throws Exception {
      return set(false);
    }
  }

  @Command(name = "checkpoint", description = "Report a checkpoint from a shell, as a rank would: the next attempt resumes from it.")
  static final class Checkpoint extends Base {
    @Parameters(paramLabel = "JOB")
    String name;

    @Option(names = "--step", required = true, description = "Training step the checkpoint holds; must be beyond the last one reported.")
    long step;

    @Option(names = "--path", required = true, description = "Where the checkpoint is, as the job's ranks will read it.")
    String path;

    @Option(names = "--intake", defaultValue = "http://gangway-metrics.gangway-system:8080", description = "The operator's intake "
        + "(default: ${DEFAULT-VALUE}, the chart's Service, reachable inside the cluster). From a laptop: kubectl port-forward -n "
        + "gangway-system svc/gangway-metrics 8080 and --intake http://127.0.0.1:8080.")
    URI intake;

    @Override
    public Integer call() throws Exception {
      try (KubernetesClient client = connect()) {
        CheckpointReporter.Answer answer = CheckpointReporter.report(client, scope.namespace(client), name, step, path, intake);
        String text = answer.stored() ? "trainingjob.gangway.dev/" + name + " checkpoint step " + step + " stored (attempt "
            + answer.attempt() + ", reported for " + answer.pod() + ")\n"
            : "error: the intake refused the checkpoint (HTTP " + answer.status() + "): " + answer.message() + "\n";
        if (answer.stored()) {
          print(answer, text);
        } else {
          spec.commandLine().getErr().print(text);
          spec.commandLine().getErr().flush();
        }
        return answer.stored() ? 0 : 1;
      }
    }
  }
}

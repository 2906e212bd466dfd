package dev.gangway.e2e.chaos;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** What one consistent list of TrainingJobs, pods and nodes from the API server showed at {@code at}. */
public record Snapshot(Instant at, List<JobFact> jobs, List<PodFact> pods, List<NodeFact> nodes) {
  public Snapshot {
    jobs = List.copyOf(jobs);
    pods = List.copyOf(pods);
    nodes = List.copyOf(nodes);
  }

  /**
   * A TrainingJob's status.
   *
   * @param checkpointStep status.lastCheckpoint.step, or null
   * @param placed         the Placed condition's status and reason, e.g. "False/Unschedulable", or null
   */
  public record JobFact(String namespace, String name, String uid, String phase, int attempt, int restarts,
                        int infrastructureRestarts, Long checkpointStep, String placed) {
    public String key() {
      return namespace + "/" + name;
    }
  }

  /**
   * A rank pod.
   *
   * @param jobUid       uid of the owning TrainingJob (owner reference)
   * @param reservedNode the node the operator reserved for it (annotation gangway.dev/reserved-node), or null
   */
  public record PodFact(String namespace, String name, String job, String jobUid, int rank, int attempt, String phase, boolean deleting,
                        String nodeName, String reservedNode, int gpus) {
    private static final Set<String> TERMINAL = Set.of("Succeeded", "Failed");

    /** Not finished and not being deleted: it holds (or is about to hold) its GPUs. */
    public boolean live() {
      return !deleting && !TERMINAL.contains(phase);
    }

    public boolean running() {
      return "Running".equals(phase);
    }

    /** Where it runs, or where the operator decided it will. */
    public String node() {
      return nodeName != null ? nodeName : reservedNode;
    }

    public String describe() {
      return namespace + "/" + name + " (" + phase + (deleting ? ", deleting" : "") + ", node " + node() + ", " + gpus + " GPU)";
    }
  }

  public record NodeFact(String name, int allocatableGpus, boolean ready) {
  }

  public JobFact job(String namespace, String name) {
    return jobs.stream().filter(j -> j.namespace().equals(namespace) && j.name().equals(name)).findFirst().orElse(null);
  }
}

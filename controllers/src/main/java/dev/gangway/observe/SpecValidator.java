package dev.gangway.observe;

import dev.gangway.pod.GpuResources;
import dev.gangway.pod.JobNames;
import dev.gangway.api.v1alpha1.CheckpointSpec;
import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.TopologyLevel;
import dev.gangway.api.v1alpha1.TopologySpec;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks what the CRD schema cannot: rules that need the template's contents or other objects
 * (ClusterTopology). Each problem names the field and the fix, because it becomes the message of
 * the job's Failed condition.
 */
public final class SpecValidator {

  private SpecValidator() {
  }

  /** Problems with the spec, empty when it is valid. */
  public static List<String> validate(TrainingJobSpec spec, Collection<ClusterTopology> topologies) {
    List<String> problems = new ArrayList<>();
    PodSpec pod = spec.getTemplate() == null ? null : spec.getTemplate().getSpec();
    if (pod == null || pod.getContainers() == null || pod.getContainers().isEmpty()) {
      problems.add("spec.template.spec.containers: at least one container is required");
      return problems;
    }
    checkQuantities(pod, problems);
    if (!problems.isEmpty()) {
      // The checks below and placement read these amounts.
      return problems;
    }
    checkGpus(spec, pod.getContainers().get(0), problems);
    checkRendezvousPort(pod.getContainers(), problems);
    checkCheckpointVolume(spec.getCheckpoint(), pod, problems);
    checkTopology(spec.getTopology(), topologies, problems);
    return problems;
  }

  /**
   * Every resource amount must be a Kubernetes quantity. The schema takes any string (int-or-string), and the
   * API server would refuse the pods only after a placement was decided for them (found by the manifest fuzzer).
   */
  private static void checkQuantities(PodSpec pod, List<String> problems) {
    checkQuantities("containers", pod.getContainers(), problems);
    checkQuantities("initContainers", pod.getInitContainers(), problems);
  }

  private static void checkQuantities(String field, List<Container> containers, List<String> problems) {
    if (containers == null) {
      return;
    }
    for (int c = 0; c < containers.size(); c++) {
      ResourceRequirements resources = containers.get(c).getResources();
      if (resources == null) {
        continue;
      }
      String at = "spec.template.spec." + field + "[" + c + "].resources.";
      checkAmounts(at + "requests.", resources.getRequests(), problems);
      checkAmounts(at + "limits.", resources.getLimits(), problems);
    }
  }

  private static void checkAmounts(String at, Map<String, Quantity> amounts, List<String> problems) {
    if (amounts == null) {
      return;
    }
    amounts.forEach((name, amount) -> {
      try {
        Quantity.getAmountInBytes(amount);
      } catch (RuntimeException e) {
        problems.add(at + name + " '" + (amount == null ? null : amount.toString())
            + "' is not a quantity; write a number with an optional suffix, e.g. 500m, 4, 16Gi");
      }
    });
  }

  private static void checkGpus(TrainingJobSpec spec, Container main, List<String> problems) {
    int wanted = spec.gpus();
    GpuResources.declaredLimit(main).filter(n -> n != wanted).ifPresent(n -> problems.add(
        "spec.template.spec.containers[0].resources.limits[nvidia.com/gpu] is " + n + " but spec.gpusPerReplica is "
            + wanted + "; remove the limit from the template (Gangway sets it) or make the two equal"));
    GpuResources.declaredRequest(main).filter(n -> n != wanted).ifPresent(n -> problems.add(
        "spec.template.spec.containers[0].resources.requests[nvidia.com/gpu] is " + n + " but spec.gpusPerReplica is "
            + wanted + "; remove the request from the template (Gangway sets the limit) or make the two equal"));
  }

  /** The main container may declare the rendezvous port; any other container using it would collide with rank 0's. */
  private static void checkRendezvousPort(List<Container> containers, List<String> problems) {
    for (int c = 1; c < containers.size(); c++) {
      List<ContainerPort> ports = containers.get(c).getPorts();
      for (int p = 0; ports != null && p < ports.size(); p++) {
        if (Objects.equals(ports.get(p).getContainerPort(), JobNames.RENDEZVOUS_PORT)) {
          problems.add("spec.template.spec.containers[" + c + "].ports[" + p + "].containerPort is " + JobNames.RENDEZVOUS_PORT
              + ", Gangway's rendezvous port on the main container; move container '" + containers.get(c).getName()
              + "' to another port");
        }
      }
    }
  }

  private static void checkCheckpointVolume(CheckpointSpec checkpoint, PodSpec pod, List<String> problems) {
    if (checkpoint == null || checkpoint.getVolumeName() == null) {
      return;
    }
    boolean declared = pod.getVolumes() != null
        && pod.getVolumes().stream().anyMatch(v -> checkpoint.getVolumeName().equals(v.getName()));
    if (!declared) {
      problems.add("spec.checkpoint.volumeName '" + checkpoint.getVolumeName()
          + "' is not a volume in spec.template.spec.volumes; declare it there or use spec.checkpoint.claimName");
    }
  }

  /** Whether the spec names topology levels, so that validating it reads the ClusterTopologies. */
  public static boolean namesTopologyLevels(TopologySpec topology) {
    return topology != null && (topology.getRequired() != null || topology.getPreferred() != null || topology.getGroupLevel() != null);
  }

  private static void checkTopology(TopologySpec topology, Collection<ClusterTopology> topologies, List<String> problems) {
    if (!namesTopologyLevels(topology)) {
      return;
    }
    Optional<ClusterTopology> chosen = TopologySelection.choose(topology.getTopologyName(), topologies);
    if (chosen.isEmpty()) {
      // Not a fault of the spec: the topology may be applied later (one apply of a directory). The job waits for it
      // (ClusterView#missingTopology), and its levels are checked once it exists.
      return;
    }
    List<String> levels = chosen.get().getSpec().getLevels().stream().map(TopologyLevel::getName).toList();
    checkLevel("spec.topology.required", topology.getRequired(), chosen.get(), levels, problems);
    checkLevel("spec.topology.preferred", topology.getPreferred(), chosen.get(), levels, problems);
    checkLevel("spec.topology.groupLevel", topology.getGroupLevel(), chosen.get(), levels, problems);
  }

  private static void checkLevel(String field, String level, ClusterTopology topology, List<String> levels, List<String> problems) {
    if (level != null && !levels.contains(level)) {
      problems.add(field + ": level '" + level + "' is not defined in ClusterTopology '" + topology.getMetadata().getName()
          + "' (levels: " + String.join(", ", levels) + "); use one of those names");
    }
  }
}

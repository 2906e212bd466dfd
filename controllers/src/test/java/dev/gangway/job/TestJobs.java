package dev.gangway.job;

import dev.gangway.act.RankPodBuilder;
import dev.gangway.api.v1alpha1.Framework;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;

/** Jobs and pod states for tests, written the way a user would write the manifest. */
public final class TestJobs {

  private TestJobs() {
  }

  public static TrainingJob job(String name, int replicas, int gpus) {
    TrainingJob job = new TrainingJob();
    job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("team-a").withUid("uid-" + name).withGeneration(1L).build());
    TrainingJobSpec spec = new TrainingJobSpec();
    spec.setReplicas(replicas);
    spec.setGpusPerReplica(gpus);
    spec.setFramework(Framework.PYTORCH);
    spec.setTemplate(new PodTemplateSpecBuilder()
        .withNewMetadata().addToLabels("team", "nlp").addToAnnotations("note", "kept").endMetadata()
        .withNewSpec()
        .addNewContainer().withName("trainer").withImage("ghcr.io/example/train:1").addNewEnv().withName("LR").withValue("3e-4").endEnv()
        .addNewEnv().withName("RANK").withValue("user-set").endEnv().endContainer()
        .addNewContainer().withName("sidecar").withImage("busybox").endContainer()
        .endSpec().build());
    job.setSpec(spec);
    return job;
  }

  public static PodStatus running(String node) {
    return new PodStatusBuilder().withPhase("Running")
        .addToConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build()).build();
  }

  public static PodStatus pending(String schedulerMessage) {
    return new PodStatusBuilder().withPhase("Pending")
        .addToConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
            .withMessage(schedulerMessage).build()).build();
  }

  public static PodStatus exited(int code, String reason, String message) {
    return new PodStatusBuilder().withPhase(code == 0 ? "Succeeded" : "Failed")
        .addToContainerStatuses(new ContainerStatusBuilder().withName("trainer")
            .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(code).withReason(reason).withMessage(message)
                .endTerminated().build()).build()).build();
  }

  /** The rank's pod as Gangway builds it, with the given status and node. */
  public static Pod pod(TrainingJob job, int rank, int attempt, String node, PodStatus status) {
    Pod pod = RankPodBuilder.build(job, rank, attempt, null);
    pod.getSpec().setNodeName(node);
    pod.setStatus(status);
    return pod;
  }
}

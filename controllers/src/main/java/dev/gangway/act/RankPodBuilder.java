package dev.gangway.act;

import dev.gangway.pod.GpuResources;
import dev.gangway.pod.JobNames;
import dev.gangway.pod.TerminationMessages;
import dev.gangway.api.v1alpha1.CheckpointSpec;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.rendezvous.Hostfiles;
import dev.gangway.rendezvous.LauncherSsh;
import dev.gangway.rendezvous.RendezvousEnvironment;
import dev.gangway.signal.IntakeToken;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the pod of one rank from the job's template: identity, rendezvous env, GPUs, volumes. Pure. Where it
 * goes is added by {@link GangPodWriter#pinned}.
 */
public final class RankPodBuilder {
  static final String CHECKPOINT_VOLUME = "gangway-checkpoint";
  static final String MPI_VOLUME = "gangway-mpi-hostfile";
  static final String TOKEN_VOLUME = "gangway-intake-token";
  static final String SSH_VOLUME = "gangway-ssh";
  /** Owner read-only: ssh and sshd refuse a private key others may read. */
  private static final int SSH_FILE_MODE = 0400;
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private RankPodBuilder() {
  }

  public static Pod build(TrainingJob job, int rank, int attempt, String resumeFrom) {
    String name = job.getMetadata().getName();
    PodSpec spec = SERIALIZATION.clone(job.getSpec().getTemplate().getSpec());
    ObjectMeta templateMeta = job.getSpec().getTemplate().getMetadata();

    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, String> annotations = new LinkedHashMap<>();
    if (templateMeta != null) {
      if (templateMeta.getLabels() != null) labels.putAll(templateMeta.getLabels());
      if (templateMeta.getAnnotations() != null) annotations.putAll(templateMeta.getAnnotations());
    }
    labels.putAll(selectorLabels(name));
    labels.put(JobNames.LABEL_RANK, Integer.toString(rank));
    labels.put(JobNames.LABEL_ATTEMPT, Integer.toString(attempt));

    // A collective cannot survive one rank restarting alone: Gangway restarts the whole gang instead.
    spec.setRestartPolicy("Never");
    spec.setHostname(JobNames.hostname(job, rank));
    spec.setSubdomain(JobNames.serviceName(name));

    Map<String, String> env = new LinkedHashMap<>(RendezvousEnvironment.forRank(job, rank, attempt, resumeFrom));
    env.put(IntakeToken.FILE_ENV, IntakeToken.FILE);
    List<VolumeMount> mounts = new ArrayList<>();
    addCheckpointVolume(job.getSpec().getCheckpoint(), spec, mounts);
    if (Hostfiles.needed(job)) {
      spec.setVolumes(append(spec.getVolumes(), new VolumeBuilder().withName(MPI_VOLUME)
          .withNewConfigMap().withName(JobNames.mpiConfigMapName(name)).endConfigMap().build()));
      mounts.add(new VolumeMountBuilder().withMountPath(Hostfiles.DIR).withName(MPI_VOLUME).withReadOnly(true).build());
    }
    if (LauncherSsh.generated(job)) {
      spec.setVolumes(append(spec.getVolumes(), new VolumeBuilder().withName(SSH_VOLUME)
          .withNewSecret().withSecretName(JobNames.sshSecretName(job)).withDefaultMode(SSH_FILE_MODE).endSecret().build()));
      mounts.add(new VolumeMountBuilder().withMountPath(LauncherSsh.DIR).withName(SSH_VOLUME).withReadOnly(true).build());
    }
    addIntakeToken(spec, mounts);
    // Init containers too: a setup step (waiting for rank 0, fetching data per rank) needs the same facts.
    List<Container> all = new ArrayList<>(spec.getContainers());
    if (spec.getInitContainers() != null) {
      all.addAll(spec.getInitContainers());
    }
    for (Container container : all) {
      // A failed container's last log lines then reach its status from the kubelet, so a crash is explained without a
      // log read through the API server before the restart is decided; a message the program writes still wins.
      if (container.getTerminationMessagePolicy() == null) {
        container.setTerminationMessagePolicy(TerminationMessages.LOGS_ON_ERROR);
      }
      container.setEnv(withEnv(container.getEnv(), env));
      for (VolumeMount mount : mounts) {
        container.setVolumeMounts(append(container.getVolumeMounts(), mount));
      }
    }
    setGpuLimit(spec.getContainers().get(0), job.getSpec().gpus());

    return new PodBuilder()
        .withNewMetadata()
        .withName(JobNames.podName(name, rank, attempt))
        .withNamespace(job.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(annotations.isEmpty() ? null : annotations)
        .withOwnerReferences(ownerReference(job))
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  /** Labels every object of the job carries; the headless Service selects on them. */
  public static Map<String, String> selectorLabels(String job) {
    return Map.of(JobNames.LABEL_JOB, job);
  }

  public static OwnerReference ownerReference(TrainingJob job) {
    return new OwnerReferenceBuilder()
        .withApiVersion(job.getApiVersion())
        .withKind(job.getKind())
        .withName(job.getMetadata().getName())
        .withUid(job.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** Gangway owns the contract's variable names: its values replace any the template set for them. */
  private static List<EnvVar> withEnv(List<EnvVar> existing, Map<String, String> env) {
    Set<String> ours = env.keySet();
    List<EnvVar> merged = new ArrayList<>();
    if (existing != null) {
      existing.stream().filter(e -> !ours.contains(e.getName())).forEach(merged::add);
    }
    merged.addAll(RendezvousEnvironment.asEnvVars(env));
    return merged;
  }

  /**
   * A token bound to this pod, for Gangway's audience only, with which a rank reports its checkpoints
   * (see {@link dev.gangway.signal.CheckInAccess}). Projected even when the template turns off
   * automountServiceAccountToken: it cannot be used against the API server.
   */
  private static void addIntakeToken(PodSpec spec, List<VolumeMount> mounts) {
    spec.setVolumes(append(spec.getVolumes(), new VolumeBuilder().withName(TOKEN_VOLUME).withNewProjected()
        .addNewSource().withNewServiceAccountToken(IntakeToken.AUDIENCE, IntakeToken.EXPIRATION_SECONDS, "token").endSource()
        .endProjected().build()));
    mounts.add(new VolumeMountBuilder().withMountPath(IntakeToken.MOUNT_PATH).withName(TOKEN_VOLUME).withReadOnly(true).build());
  }

  private static void addCheckpointVolume(CheckpointSpec checkpoint, PodSpec spec, List<VolumeMount> mounts) {
    if (checkpoint == null) {
      return;
    }
    String volume = checkpoint.getVolumeName();
    if (checkpoint.getClaimName() != null) {
      volume = CHECKPOINT_VOLUME;
      spec.setVolumes(append(spec.getVolumes(), new VolumeBuilder().withName(volume)
          .withNewPersistentVolumeClaim(checkpoint.getClaimName(), false).build()));
    }
    mounts.add(new VolumeMountBuilder().withMountPath(checkpoint.getMountPath()).withName(volume).build());
  }

  private static void setGpuLimit(Container main, int gpus) {
    if (gpus == 0 && GpuResources.declaredLimit(main).isEmpty()) {
      return;
    }
    ResourceRequirements resources = main.getResources() == null ? new ResourceRequirements() : main.getResources();
    Map<String, Quantity> limits = resources.getLimits() == null ? new HashMap<>() : new HashMap<>(resources.getLimits());
    limits.put(GpuResources.GPU, new Quantity(Integer.toString(gpus)));
    resources.setLimits(limits);
    main.setResources(resources);
  }

  private static <T> List<T> append(List<T> list, T item) {
    List<T> copy = list == null ? new ArrayList<>() : new ArrayList<>(list);
    copy.add(item);
    return copy;
  }
}

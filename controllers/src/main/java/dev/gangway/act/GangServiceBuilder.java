package dev.gangway.act;

import dev.gangway.pod.JobNames;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.rendezvous.Hostfiles;
import dev.gangway.rendezvous.LauncherSsh;
import dev.gangway.rendezvous.SshKeyPair;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Builds the objects a gang shares: the headless Service that gives ranks DNS names, and MPI's hostfiles and ssh keys. */
public final class GangServiceBuilder {

  private GangServiceBuilder() {
  }

  /**
   * The Service selects the given attempt's pods only, so that during a restart a rank's DNS name
   * never resolves to a pod of the attempt being torn down.
   */
  public static Service headlessService(TrainingJob job, int attempt) {
    String name = job.getMetadata().getName();
    java.util.Map<String, String> selector = new java.util.TreeMap<>(RankPodBuilder.selectorLabels(name));
    selector.put(JobNames.LABEL_ATTEMPT, Integer.toString(attempt));
    return new ServiceBuilder()
        .withMetadata(owned(job, JobNames.serviceName(name)))
        .withNewSpec()
        .withClusterIP("None")
        // Ranks must resolve each other before they are ready: rendezvous is what makes them ready.
        .withPublishNotReadyAddresses(true)
        .withSelector(selector)
        .addNewPort().withName(JobNames.RENDEZVOUS_PORT_NAME).withPort(JobNames.RENDEZVOUS_PORT).withProtocol("TCP").endPort()
        .endSpec()
        .build();
  }

  public static ConfigMap mpiHostfile(TrainingJob job) {
    return new ConfigMapBuilder()
        .withMetadata(owned(job, JobNames.mpiConfigMapName(job.getMetadata().getName())))
        .withData(Hostfiles.forJob(job))
        .build();
  }

  /**
   * The job's ssh keys and configuration ({@link LauncherSsh}). Immutable: a key never changes under running ranks,
   * and the kubelet need not watch it.
   */
  public static Secret sshSecret(TrainingJob job, SshKeyPair client, SshKeyPair host) {
    java.util.Map<String, String> data = new java.util.LinkedHashMap<>();
    LauncherSsh.files(job, client, host).forEach((file, content) ->
        data.put(file, Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withMetadata(owned(job, JobNames.sshSecretName(job)))
        .withType("Opaque")
        .withImmutable(true)
        .withData(data)
        .build();
  }

  /** In the job's namespace, labelled with it and owned by it: garbage-collected with the job. */
  private static ObjectMeta owned(TrainingJob job, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(job.getMetadata().getNamespace())
        .withLabels(RankPodBuilder.selectorLabels(job.getMetadata().getName()))
        .withOwnerReferences(RankPodBuilder.ownerReference(job))
        .build();
  }
}

package dev.gangway.act;

import dev.gangway.pod.JobNames;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.rendezvous.Hostfiles;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** Builds the objects a gang shares: the headless Service that gives ranks DNS names, and MPI's hostfiles. */
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
        .withNewMetadata()
        .withName(JobNames.serviceName(name))
        .withNamespace(job.getMetadata().getNamespace())
        .withLabels(RankPodBuilder.selectorLabels(name))
        .withOwnerReferences(RankPodBuilder.ownerReference(job))
        .endMetadata()
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
    String name = job.getMetadata().getName();
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(JobNames.mpiConfigMapName(name))
        .withNamespace(job.getMetadata().getNamespace())
        .withLabels(RankPodBuilder.selectorLabels(name))
        .withOwnerReferences(RankPodBuilder.ownerReference(job))
        .endMetadata()
        .withData(Hostfiles.forJob(job))
        .build();
  }
}

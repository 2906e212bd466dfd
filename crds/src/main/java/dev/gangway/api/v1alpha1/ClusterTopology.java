package dev.gangway.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The network hierarchy of the cluster's GPU nodes, outermost level first: which node label names a
 * node's domain at each level and how fast GPUs that share that domain talk to each other.
 */
@Group(TrainingJob.GROUP)
@Version(TrainingJob.VERSION)
@ShortNames("ctopo")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ClusterTopology extends CustomResource<ClusterTopologySpec, Void> {

  @Override
  protected ClusterTopologySpec initSpec() {
    return new ClusterTopologySpec();
  }
}

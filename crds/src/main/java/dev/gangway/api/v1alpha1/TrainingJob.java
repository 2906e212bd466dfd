package dev.gangway.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A distributed training job: a gang of rank pods that Gangway places together, wires up for
 * rendezvous and restarts from its last checkpoint when something fails.
 */
@Group(TrainingJob.GROUP)
@Version(TrainingJob.VERSION)
@ShortNames("tj")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.ready", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "GPUs", jsonPath = ".status.gpus", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Restarts", jsonPath = ".status.restarts", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Goodput", jsonPath = ".status.goodput.ratio", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// Pod hostnames are "<job>-<rank>" and must stay a DNS label (63 characters).
@ValidationRule(value = "size(self.metadata.name) <= 50",
    message = "metadata.name: a TrainingJob name must be at most 50 characters, because rank pods are reachable as <name>-<rank>.<name>; choose a shorter name")
// The API server takes any DNS subdomain as an object name ("a.b"), but the job's headless Service, named after it, must be a
// DNS-1035 label: such a job was accepted and then failed every reconcile (found by the manifest fuzzer).
@ValidationRule(value = "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message = "metadata.name: a TrainingJob name must start with a lower-case letter and hold only lower-case letters, digits and '-' (no dots; a DNS-1035 label such as llama-70b), because its headless Service and the rank hostnames <name>-<rank>.<name> take it")
// Changing the shape of a running gang would corrupt its collectives: allow it only before the job
// starts or while it is suspended (the protocol a queue such as Kueue uses to resize and admit).
@ValidationRule(value = TrainingJob.MUTABLE + " || (self.spec.replicas == oldSelf.spec.replicas"
    + " && self.spec.gpusPerReplica == oldSelf.spec.gpusPerReplica)",
    message = "spec.replicas and spec.gpusPerReplica cannot change while the job runs; set spec.suspend: true first (or in the same update), or create a new TrainingJob")
@ValidationRule(value = TrainingJob.MUTABLE + " || self.spec.framework == oldSelf.spec.framework",
    message = "spec.framework cannot change while the job runs; set spec.suspend: true first (or in the same update), or create a new TrainingJob")
// The rendezvous (and with it the pods' hostnames) of a running attempt follows it.
@ValidationRule(value = TrainingJob.MUTABLE + " || " + TrainingJob.IN_PLACE_NEW + " == " + TrainingJob.IN_PLACE_OLD,
    message = "spec.failurePolicy.inPlaceRestarts cannot change while the job runs; set spec.suspend: true first (or in the same update)")
@ValidationRule(value = TrainingJob.MUTABLE + " || self.spec.template == oldSelf.spec.template",
    message = "spec.template cannot change while the job runs; set spec.suspend: true first (or in the same update), or create a new TrainingJob")
public class TrainingJob extends CustomResource<TrainingJobSpec, TrainingJobStatus> implements Namespaced {
  public static final String GROUP = "gangway.dev";
  public static final String VERSION = "v1alpha1";

  /** CEL: the new and the old spec.failurePolicy.inPlaceRestarts, 0 when unset. */
  static final String IN_PLACE_NEW = "(has(self.spec.failurePolicy) && has(self.spec.failurePolicy.inPlaceRestarts)"
      + " ? self.spec.failurePolicy.inPlaceRestarts : 0)";
  static final String IN_PLACE_OLD = "(has(oldSelf.spec.failurePolicy) && has(oldSelf.spec.failurePolicy.inPlaceRestarts)"
      + " ? oldSelf.spec.failurePolicy.inPlaceRestarts : 0)";

  /**
   * Placed=False reasons (a CEL list) of a Pending job that has no rank pod and is not creating any: it waits for capacity, or is
   * blocked by something its template may be what needs fixing (a ServiceAccount's name, a container's requests).
   * Gangway persists Placed=True before it creates a pod, so a job whose stored status says one of these has none coming.
   */
  public static final String WAITING_WITHOUT_PODS = "['InsufficientCapacity', 'NoNodeAvailable', 'RequiredLevelTooSmall',"
      + " 'WaitingForTighterPlacement', 'InvalidRequest', 'QueuedBehind', 'ExcludedNodesLeaveNoRoom', 'Unschedulable',"
      + " 'PriorityClassNotFound', 'TopologyNotFound', 'QuotaExceeded', 'QuotaRequiresResources', 'LimitRangeViolated',"
      + " 'AdmissionRefused']";

  /**
   * CEL: true when a shape change is harmless — not yet started, waiting to be placed for the first time with no pod
   * ({@link #WAITING_WITHOUT_PODS}), finished, or suspended before or after.
   */
  static final String MUTABLE = "(!has(oldSelf.status) || !has(oldSelf.status.phase)"
      + " || oldSelf.status.phase in ['Suspended', 'Succeeded', 'Failed']"
      + " || (oldSelf.status.phase == 'Pending' && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c,"
      + " c.type == 'Placed' && c.status == 'False' && has(c.reason) && c.reason in " + WAITING_WITHOUT_PODS + "))"
      + " || (has(oldSelf.spec.suspend) && oldSelf.spec.suspend)"
      + " || (has(self.spec.suspend) && self.spec.suspend))";

  /** Required: a TrainingJob without a spec was stored and left the operator nothing to judge (found by the fuzzer). */
  @Override
  @Required
  public TrainingJobSpec getSpec() {
    return super.getSpec();
  }

  @Override
  protected TrainingJobSpec initSpec() {
    return new TrainingJobSpec();
  }

  @Override
  protected TrainingJobStatus initStatus() {
    return new TrainingJobStatus();
  }
}

package dev.gangway.job;

import dev.gangway.placement.SnapshotFactory;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Writes a placement onto rank pods. Gangway never sets nodeName: kube-scheduler binds and keeps its accounting. */
final class GangPodWriter {

  private GangPodWriter() {
  }

  static void apply(KubernetesClient client, GangPlacementStep.Plan plan) {
    plan.annotate().forEach((pod, node) -> pod(client, pod).edit(p -> {
      Map<String, String> annotations = p.getMetadata().getAnnotations() == null
          ? new HashMap<>() : new HashMap<>(p.getMetadata().getAnnotations());
      annotations.put(SnapshotFactory.RESERVED_NODE_ANNOTATION, node);
      p.getMetadata().setAnnotations(annotations);
      return p;
    }));
    plan.release().forEach((pod, node) -> pod(client, pod).edit(p -> release(p, node)));
    plan.delete().forEach(pod -> pod(client, pod).delete());
  }

  /** Pins the pod to its node and lifts the gate, in one update: the API allows narrowing affinity only while gated. */
  static Pod release(Pod pod, String node) {
    PodSpec spec = pod.getSpec();
    pinTo(spec, node);
    spec.setSchedulingGates(spec.getSchedulingGates().stream().filter(g -> !GangPlacementStep.GATE.equals(g.getName())).toList());
    return pod;
  }

  /** Adds "metadata.name In [node]" to every required term (terms are ORed, so each must carry it). */
  static void pinTo(PodSpec spec, String node) {
    NodeSelectorRequirement onNode = new NodeSelectorRequirementBuilder().withKey("metadata.name").withOperator("In")
        .withValues(node).build();
    if (spec.getAffinity() == null) {
      spec.setAffinity(new io.fabric8.kubernetes.api.model.Affinity());
    }
    NodeAffinity affinity = spec.getAffinity().getNodeAffinity();
    if (affinity == null) {
      affinity = new NodeAffinity();
      spec.getAffinity().setNodeAffinity(affinity);
    }
    NodeSelector required = affinity.getRequiredDuringSchedulingIgnoredDuringExecution();
    if (required == null || required.getNodeSelectorTerms() == null || required.getNodeSelectorTerms().isEmpty()) {
      NodeSelectorTerm term = new NodeSelectorTerm();
      term.setMatchFields(List.of(onNode));
      affinity.setRequiredDuringSchedulingIgnoredDuringExecution(new NodeSelector(List.of(term)));
      return;
    }
    for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
      List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? new ArrayList<>() : new ArrayList<>(term.getMatchFields());
      fields.add(onNode);
      term.setMatchFields(fields);
    }
  }

  private static io.fabric8.kubernetes.client.dsl.PodResource pod(KubernetesClient client, Pod pod) {
    return client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName());
  }
}

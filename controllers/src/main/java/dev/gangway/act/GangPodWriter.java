package dev.gangway.act;

import dev.gangway.decide.BindDeadlines;
import dev.gangway.decide.GangPlacementStep;
import dev.gangway.decide.PlacementDecision;
import dev.gangway.placement.SnapshotFactory;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Writes a placement onto rank pods. Gangway never sets nodeName: kube-scheduler binds and keeps its accounting. */
public final class GangPodWriter {

  private GangPodWriter() {
  }

  /**
   * Carries out the decision with one merge patch per pod, computed from the cached pod (no read first), all
   * pods of a phase at once. Phase 2 starts only when every pod carries phase 1's annotation.
   */
  public static void apply(KubernetesClient client, PlacementDecision decision) {
    ParallelWrites.forEach(decision.annotate().entrySet(), e -> pod(client, e.getKey()).patch(MERGE,
        SERIALIZATION.asJson(Map.of("metadata", Map.of("annotations", Map.of(SnapshotFactory.RESERVED_NODE_ANNOTATION, e.getValue()))))));
    ParallelWrites.forEach(decision.release().entrySet(), e -> {
      Pod released = release(SERIALIZATION.clone(e.getKey()), e.getValue());
      // A JSON patch states the changes exactly: the remaining gates (often none), the narrowed affinity, and when
      // (phase 1 wrote the annotations map, so adding a key to it is safe); the bind deadline runs from then.
      List<Map<String, Object>> ops = List.of(
          Map.of("op", "add", "path", "/spec/schedulingGates", "value", released.getSpec().getSchedulingGates()),
          Map.of("op", "add", "path", "/spec/affinity", "value", released.getSpec().getAffinity()),
          Map.of("op", "add", "path", "/metadata/annotations/" + BindDeadlines.RELEASED_AT_ANNOTATION.replace("/", "~1"),
              "value", decision.time().toString()));
      pod(client, e.getKey()).patch(JSON_PATCH, toJson(ops));
    });
    ParallelWrites.forEach(decision.delete(), pod -> pod(client, pod).delete());
  }

  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private static final PatchContext JSON_PATCH = PatchContext.of(PatchType.JSON);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final com.fasterxml.jackson.databind.ObjectMapper PLAIN_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** Plain Jackson keeps empty lists, which a JSON merge patch needs to clear one. */
  private static String toJson(Object patch) {
    try {
      return PLAIN_JSON.writeValueAsString(patch);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
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
      if (!fields.contains(onNode)) {
        fields.add(onNode);
      }
      term.setMatchFields(fields);
    }
  }

  private static io.fabric8.kubernetes.client.dsl.PodResource pod(KubernetesClient client, Pod pod) {
    return client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName());
  }
}

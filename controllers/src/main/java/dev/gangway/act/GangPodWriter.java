package dev.gangway.act;

import dev.gangway.decide.BindDeadlines;
import dev.gangway.decide.GangPlacementStep;
import dev.gangway.decide.PinnedRank;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a placement onto rank pods: pins a pod to be created, releases one an earlier Gangway version created behind
 * the gate, deletes an ended decision's pods. Gangway never sets nodeName: kube-scheduler binds, checks what placement cannot see and keeps its
 * accounting.
 */
public final class GangPodWriter {

  private GangPodWriter() {
  }

  /**
   * The rank's pod as it is created: pinned to its node by required node affinity, annotated with that node (the
   * reservation every other gang's snapshot counts) and released at {@code time}, from which its bind deadline runs.
   */
  public static Pod pinned(Pod pod, PinnedRank rank, Instant time) {
    pinTo(pod.getSpec(), rank.node());
    Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(pod.getMetadata().getAnnotations());
    annotations.put(SnapshotFactory.RESERVED_NODE_ANNOTATION, rank.node());
    annotations.put(BindDeadlines.RELEASED_AT_ANNOTATION, time.toString());
    pod.getMetadata().setAnnotations(annotations);
    return pod;
  }

  /**
   * Releases the gated pods whose node is free, one JSON patch each from the cached pod (no read first); deletes an ended
   * decision's pods. What this replica wrote already and its cache does not show yet is not written again.
   */
  public static void apply(KubernetesClient client, PlacementDecision decision, OwnWrites own) {
    List<Map.Entry<Pod, String>> release = decision.release().entrySet().stream().filter(e -> !own.releasing(e.getKey())).toList();
    ParallelWrites.forEach(release, e -> {
      Pod released = release(SERIALIZATION.clone(e.getKey()), e.getValue());
      Map<String, String> annotations = e.getKey().getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
          : new LinkedHashMap<>(e.getKey().getMetadata().getAnnotations());
      annotations.put(SnapshotFactory.RESERVED_NODE_ANNOTATION, e.getValue());
      annotations.put(BindDeadlines.RELEASED_AT_ANNOTATION, decision.time().toString());
      // A JSON patch states the changes exactly: the remaining gates (often none), the affinity (pinned at creation, or
      // here for a pod created gated by an earlier version), the reserved node, and when: the bind deadline runs from then.
      List<Map<String, Object>> ops = List.of(
          Map.of("op", "add", "path", "/spec/schedulingGates", "value", released.getSpec().getSchedulingGates()),
          Map.of("op", "add", "path", "/spec/affinity", "value", released.getSpec().getAffinity()),
          Map.of("op", "add", "path", "/metadata/annotations", "value", annotations));
      if (!own.claimRelease(e.getKey())) {
        return;
      }
      try {
        pod(client, e.getKey()).patch(JSON_PATCH, toJson(ops));
      } catch (RuntimeException failed) {
        own.writeFailed(e.getKey());
        throw failed;
      }
    });
    ParallelWrites.forEach(decision.delete().stream().filter(p -> !own.deleting(p)).toList(), pod -> {
      if (!own.claimDelete(pod)) {
        return;
      }
      try {
        pod(client, pod).delete();
      } catch (RuntimeException failed) {
        own.writeFailed(pod);
        throw failed;
      }
    });
  }

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

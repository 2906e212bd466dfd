package dev.gangway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeanReadingTest {

  private final KubernetesSerialization stock = new KubernetesSerialization();
  private final KubernetesSerialization lean = lean();

  private static KubernetesSerialization lean() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.registerModule(new LeanReading());
    return new KubernetesSerialization(mapper, true);
  }

  private static Pod pod() {
    return new PodBuilder()
        .withNewMetadata().withName("j-r3-a2").withNamespace("ml").withResourceVersion("42")
          .addToLabels("gangway.dev/job", "j").addToAnnotations("gangway.dev/reserved-node", "sp-gpu-003")
          .withManagedFields(new ManagedFieldsEntryBuilder().withManager("gangway-operator").withOperation("Update")
              .withApiVersion("v1").withFieldsType("FieldsV1")
              .withNewFieldsV1().addToAdditionalProperties("f:metadata", Map.of("f:labels", Map.of("f:gangway.dev/job", Map.of()))).endFieldsV1()
              .build())
        .endMetadata()
        .withNewSpec().addNewContainer().withName("trainer").withImage("pytorch").withArgs("train.py", "--epochs", "3")
          .withNewResources().addToLimits("nvidia.com/gpu", new io.fabric8.kubernetes.api.model.Quantity("8")).endResources()
        .endContainer().withNodeName("sp-gpu-003").endSpec()
        .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
        .build();
  }

  /** A watch event as the API server writes it: kind and apiVersion lead the object, type may follow it. */
  private String event(String objectJson) {
    return "{\"object\":" + objectJson + ",\"type\":\"MODIFIED\"}";
  }

  @Test
  void readsAWatchedPodIntoItsClassAsFabric8WouldLessItsManagedFields() {
    String json = event(stock.asJson(pod()));
    WatchEvent expected = stock.unmarshal(json, WatchEvent.class);
    ((Pod) expected.getObject()).getMetadata().setManagedFields(new java.util.ArrayList<>());

    WatchEvent read = lean.unmarshal(json, WatchEvent.class);

    assertThat(read.getType()).isEqualTo("MODIFIED");
    assertThat(read.getObject()).isInstanceOf(Pod.class).isEqualTo(expected.getObject());
    assertThat(((Pod) read.getObject()).getMetadata().getManagedFields()).isEmpty();
  }

  @Test
  void findsTheKindWhereverItStands() {
    String json = event("{\"metadata\":{\"name\":\"p\",\"managedFields\":[{\"manager\":\"kwok\"}]},\"status\":{\"phase\":\"Failed\"},"
        + "\"apiVersion\":\"v1\",\"spec\":{\"nodeName\":\"n1\"},\"kind\":\"Pod\"}");

    Pod read = (Pod) lean.unmarshal(json, WatchEvent.class).getObject();

    assertThat(read.getMetadata().getName()).isEqualTo("p");
    assertThat(read.getStatus().getPhase()).isEqualTo("Failed");
    assertThat(read.getSpec().getNodeName()).isEqualTo("n1");
    assertThat(read.getMetadata().getManagedFields()).isEmpty();
  }

  @Test
  void readsARegisteredCustomResourceIntoItsClass() {
    lean.registerKubernetesResource(TrainingJob.class);
    String json = event("{\"kind\":\"TrainingJob\",\"apiVersion\":\"gangway.dev/v1alpha1\",\"metadata\":{\"name\":\"j\"},"
        + "\"spec\":{\"replicas\":4}}");

    Object read = lean.unmarshal(json, WatchEvent.class).getObject();

    assertThat(read).isInstanceOf(TrainingJob.class);
    assertThat(((TrainingJob) read).getSpec().getReplicas()).isEqualTo(4);
  }

  @Test
  void leavesKindsWithoutAClassAndObjectsWithoutAKindToFabric8() {
    String unknown = event("{\"kind\":\"Widget\",\"apiVersion\":\"example.com/v1\",\"metadata\":{\"name\":\"w\"},\"spec\":{\"size\":3}}");
    String kindless = event("{\"metadata\":{\"name\":\"w\"}}");

    assertThat(lean.unmarshal(unknown, WatchEvent.class).getObject()).isInstanceOf(GenericKubernetesResource.class)
        .isEqualTo(stock.unmarshal(unknown, WatchEvent.class).getObject());
    assertThat(lean.unmarshal(kindless, WatchEvent.class).getObject())
        .isEqualTo(stock.unmarshal(kindless, WatchEvent.class).getObject());
  }

  @Test
  void stillWritesManagedFieldsItIsGiven() {
    assertThat(lean.asJson(pod())).contains("\"managedFields\"").contains("gangway-operator");
  }

  @Test
  void readsAPodStraightFromAListOrAResponseWithoutManagedFields() {
    Pod read = lean.unmarshal(stock.asJson(pod()), Pod.class);

    assertThat(read.getMetadata().getManagedFields()).isEmpty();
    assertThat(read.getSpec().getContainers().get(0).getArgs()).containsExactly("train.py", "--epochs", "3");
  }
}

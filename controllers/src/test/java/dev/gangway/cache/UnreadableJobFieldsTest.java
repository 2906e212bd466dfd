package dev.gangway.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gangway.api.v1alpha1.FailurePolicy;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.job.TestJobs;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnreadableJobFieldsTest {
  private static final String TOO_BIG = "2147483648";

  private final KubernetesSerialization stock = new KubernetesSerialization();
  /** As the operator's client reads: both modules. */
  private final KubernetesSerialization tolerant = tolerant();

  private static KubernetesSerialization tolerant() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.registerModule(new LeanReading());
    mapper.registerModule(new UnreadableJobFields());
    KubernetesSerialization serialization = new KubernetesSerialization(mapper, true);
    // As the operator's client knows it: a watch event's object of this kind is read as a TrainingJob.
    serialization.registerKubernetesResource(TrainingJob.class);
    return serialization;
  }

  private static TrainingJob job(String name) {
    TrainingJob job = TestJobs.job(name, 4, 8);
    job.setApiVersion("gangway.dev/v1alpha1");
    job.setKind("TrainingJob");
    FailurePolicy policy = new FailurePolicy();
    policy.setCheckpointWaitSeconds(7);
    policy.setMaxRestarts(5);
    job.getSpec().setFailurePolicy(policy);
    return job;
  }

  private static java.io.InputStream stream(String json) {
    return new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The job as the API server would send it, with checkpointWaitSeconds above 2^31-1 (stored before the CRD bounded it). */
  private String overflowing(TrainingJob job) {
    String json = stock.asJson(job);
    assertThat(json).contains("\"checkpointWaitSeconds\":7");
    return json.replace("\"checkpointWaitSeconds\":7", "\"checkpointWaitSeconds\":" + TOO_BIG);
  }

  @Test
  void withoutItTheJobCannotBeReadAtAll() {
    String json = overflowing(job("big-wait"));

    assertThatThrownBy(() -> stock.unmarshal(json, TrainingJob.class)).hasStackTraceContaining("out of range of `java.lang.Integer`");
  }

  @Test
  void aFieldOutOfItsRangeIsLeftOutAndNamedTheRestOfTheJobIsRead() {
    TrainingJob read = tolerant.unmarshal(overflowing(job("big-wait")), TrainingJob.class);

    assertThat(read.getSpec().getFailurePolicy().getCheckpointWaitSeconds()).isNull();
    assertThat(read.getSpec().getFailurePolicy().getMaxRestarts()).isEqualTo(5);
    assertThat(read.getSpec().getReplicas()).isEqualTo(4);
    assertThat(read.getMetadata().getName()).isEqualTo("big-wait");
    assertThat(UnreadableJobFields.of(read)).singleElement().asString()
        .startsWith("spec.failurePolicy.checkpointWaitSeconds: ").isEqualTo("spec.failurePolicy.checkpointWaitSeconds: numeric value (2147483648) out of range of `java.lang.Integer`"
            + " (-2147483648 -2147483647)");
  }

  @Test
  void aReadableJobIsReadAsBeforeAndCarriesNoNote() {
    String json = stock.asJson(job("fine"));

    TrainingJob read = tolerant.unmarshal(json, TrainingJob.class);

    assertThat(tolerant.asJson(read)).isEqualTo(stock.asJson(stock.unmarshal(json, TrainingJob.class))).isEqualTo(json);
    assertThat(UnreadableJobFields.of(read)).isEmpty();
  }

  @Test
  void oneUnreadableJobNoLongerFailsTheListOfAllOfThem() {
    String json = "{\"apiVersion\":\"gangway.dev/v1alpha1\",\"kind\":\"TrainingJobList\",\"metadata\":{\"resourceVersion\":\"9\"},"
        + "\"items\":[" + stock.asJson(job("before")) + "," + overflowing(job("big-wait")) + "," + stock.asJson(job("after")) + "]}";
    TypeReference<DefaultKubernetesResourceList<TrainingJob>> list = new TypeReference<>() { };
    assertThatThrownBy(() -> stock.unmarshal(stream(json), list)).hasStackTraceContaining("out of range of `java.lang.Integer`");

    DefaultKubernetesResourceList<TrainingJob> read = tolerant.unmarshal(stream(json), list);

    assertThat(read.getItems()).extracting(j -> j.getMetadata().getName()).containsExactly("before", "big-wait", "after");
    assertThat(read.getItems()).extracting(j -> UnreadableJobFields.of(j).size()).containsExactly(0, 1, 0);
    assertThat(read.getItems().get(2).getSpec().getFailurePolicy().getCheckpointWaitSeconds()).isEqualTo(7);
  }

  @Test
  void aWatchEventOfAnUnreadableJobIsReadWithTheNote() {
    String event = "{\"type\":\"ADDED\",\"object\":" + overflowing(job("big-wait")) + "}";

    WatchEvent read = tolerant.unmarshal(event, WatchEvent.class);

    assertThat(read.getObject()).isInstanceOfSatisfying(TrainingJob.class,
        j -> assertThat(UnreadableJobFields.of(j)).singleElement().asString().startsWith("spec.failurePolicy.checkpointWaitSeconds: "));
  }

  @Test
  void fieldsInsideListsAreNamedByIndexAndEachOfSeveralIsLeftOut() {
    TrainingJob job = job("ports");
    job.getSpec().getTemplate().getSpec().getContainers().get(1)
        .setPorts(List.of(new ContainerPortBuilder().withName("a").withContainerPort(11).build(),
            new ContainerPortBuilder().withName("b").withContainerPort(12).build()));
    String json = overflowing(job).replace("\"containerPort\":12", "\"containerPort\":99999999999");

    TrainingJob read = tolerant.unmarshal(json, TrainingJob.class);

    assertThat(UnreadableJobFields.of(read)).hasSize(2).anySatisfy(f -> assertThat(f).startsWith("spec.failurePolicy.checkpointWaitSeconds: "))
        .anySatisfy(f -> assertThat(f).startsWith("spec.template.spec.containers[1].ports[1].containerPort: ").contains("99999999999"));
    assertThat(read.getSpec().getTemplate().getSpec().getContainers().get(1).getPorts())
        .extracting(p -> p.getName() + "=" + p.getContainerPort()).containsExactly("a=11", "b=null");
  }

  @Test
  void theNoteSurvivesTheCopyTheSdkMakesOfEveryJob() {
    TrainingJob read = tolerant.unmarshal(overflowing(job("big-wait")), TrainingJob.class);

    assertThat(UnreadableJobFields.of(tolerant.clone(read))).isEqualTo(UnreadableJobFields.of(read)).hasSize(1);
  }

  @Test
  void metadataThatCannotBeReadStillFailsAsBefore() {
    String json = stock.asJson(job("odd")).replace("\"generation\":1", "\"generation\":\"many\"");

    assertThatThrownBy(() -> tolerant.unmarshal(json, TrainingJob.class)).hasStackTraceContaining("generation");
  }
}

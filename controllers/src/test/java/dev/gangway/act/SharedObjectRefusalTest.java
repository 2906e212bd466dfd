package dev.gangway.act;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.decide.GangActions;
import dev.gangway.decide.PinnedRank;
import dev.gangway.job.TestJobs;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Service, hostfile and ssh Secret a gang needs, refused by an admission plugin as the gang starts, are a wait like a
 * refused rank pod (nothing held meanwhile); refused later, or for the operator's rights, an error retried as it came.
 */
@EnableKubernetesMockClient
class SharedObjectRefusalTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  private static final String POLICY = "services \"llm\" is forbidden: ValidatingAdmissionPolicy 'no-services' with binding"
      + " 'no-services' denied request: this namespace takes no Services";

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "403 | " + POLICY + " | true",
      "422 | services \"llm\" is invalid: : ValidatingAdmissionPolicy 'no-services' with binding 'no-services' denied request: no | true",
      "403 | admission webhook \"validate.kyverno.svc-fail\" denied the request: resource Service/ml/llm was blocked | true",
      "422 | Service \"llm\" is invalid: spec.ports[0].port: Invalid value: 0 | false",
      "403 | services is forbidden: User \"system:serviceaccount:gangway-system:gangway\" cannot create resource \"services\" in API group \"\" in the namespace \"ml\" | false",
      "500 | etcdserver: request timed out | false",
  })
  void anAdmissionPluginsDenialIsToldFromRbacAndFromAnInvalidObject(int code, String message, boolean admission) {
    KubernetesClientException e = new KubernetesClientException(new StatusBuilder().withCode(code).withMessage(message).build());
    assertThat(JobActuator.refusedByAdmission(e)).isEqualTo(admission);
  }

  @Test
  void aServiceRefusedAsTheGangStartsIsAnAdmissionRefusalAndNoRankIsCreated() {
    server.expect().post().withPath("/api/v1/namespaces/team-a/services")
        .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").withMessage(POLICY).build()).always();
    TrainingJob job = TestJobs.job("llm", 2, 8);
    JobActuator actuator = new JobActuator(new OwnWrites(Clock.systemUTC(), OwnWrites.DEFAULT_PATIENCE, key -> null));
    GangActions start = new GangActions(true, List.of(new PinnedRank(0, "n0"), new PinnedRank(1, "n1")), List.of(), List.of());

    assertThatThrownBy(() -> actuator.apply(client, job, new TrainingJobStatus(), Instant.now(), start, List.of(), 1, Optional.empty(),
        Optional.empty()))
        .isInstanceOfSatisfying(JobActuator.AdmissionRefused.class, refused -> {
          assertThat(refused.object()).isEqualTo("the job's Service");
          assertThat(refused.serverMessage()).isEqualTo(POLICY);
        });
    assertThat(server.getRequestCount()).as("the Service's create only: no rank pod is created without it").isEqualTo(1);

    // The gang runs already (nothing to create): the Service someone deleted is an error retried as it came.
    GangActions running = new GangActions(true, List.of(), List.of(), List.of());
    assertThatThrownBy(() -> actuator.apply(client, job, new TrainingJobStatus(), Instant.now(), running, List.of(), 1, Optional.empty(),
        Optional.empty()))
        .isExactlyInstanceOf(KubernetesClientException.class);
  }
}

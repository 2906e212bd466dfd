package dev.gangway.act;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which refusals of a rank pod fail the job (the spec is wrong) and which are retried (a person fixes them elsewhere). */
class PodPolicyRefusalTest {

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "403 | pods \"j-0\" is forbidden: violates PodSecurity \"baseline:latest\": privileged (container \"trainer\" must not set securityContext.privileged=true) | true",
      "403 | pods \"j-0\" is forbidden: ValidatingAdmissionPolicy 'no-gpu-root' with binding 'no-gpu-root' denied request: runAsNonRoot | true",
      "403 | pods is forbidden: User \"system:serviceaccount:gangway-system:gangway\" cannot create resource \"pods\" in API group \"\" in the namespace \"ml\" | false",
      "403 | pods \"j-0\" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=8, used: requests.nvidia.com/gpu=8, limited: requests.nvidia.com/gpu=8 | false",
      "500 | ValidatingAdmissionPolicy evaluation failed | false",
  })
  void aPolicyThatJudgedTheSpecIsPermanentAnRbacDenialOrQuotaIsNot(int code, String message, boolean permanent) {
    KubernetesClientException e = new KubernetesClientException(new StatusBuilder().withCode(code).withMessage(message).build());
    assertThat(JobActuator.refusedByPodPolicy(e)).isEqualTo(permanent);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "422 | Pod \"j-0\" is invalid: spec.containers[0].image: Required value | PodRejected",
      "403 | pods \"j-0\" is forbidden: violates PodSecurity \"restricted:latest\": runAsNonRoot != true | PodRejected",
      "403 | pods \"j-0\" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=8, used: requests.nvidia.com/gpu=8, limited: requests.nvidia.com/gpu=8 | QuotaRefused",
      "403 | pods \"j-0\" is forbidden: error looking up service account ml/trainer: serviceaccount \"trainer\" not found | AdmissionRefused",
      "403 | admission webhook \"validate.kyverno.svc-fail\" denied the request: resource Pod/ml/j-0 was blocked | AdmissionRefused",
      "403 | pods \"j-0\" is forbidden: maximum cpu usage per Container is 2, but limit is 4 | AdmissionRefused",
      "403 | pods is forbidden: User \"system:serviceaccount:gangway-system:gangway\" cannot create resource \"pods\" in API group \"\" in the namespace \"ml\" | KubernetesClientException",
      "500 | etcdserver: request timed out | KubernetesClientException",
  })
  void aRefusedCreateIsTheSpecsFaultAQuotasAnotherAdmissionPluginsOrAnErrorAsItCame(int code, String message, String meaning) {
    KubernetesClientException e = new KubernetesClientException(new StatusBuilder().withCode(code).withMessage(message).build());
    RuntimeException refusal = JobActuator.refusal("j-0", e);
    assertThat(refusal.getClass().getSimpleName()).isEqualTo(meaning);
    if (refusal instanceof JobActuator.AdmissionRefused admission) {
      assertThat(admission.serverMessage()).isEqualTo(message);
    }
  }
}

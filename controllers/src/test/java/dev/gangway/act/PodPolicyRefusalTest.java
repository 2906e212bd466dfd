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
}

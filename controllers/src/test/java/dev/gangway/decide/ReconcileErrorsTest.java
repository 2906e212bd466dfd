package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/** What the ReconcileError condition tells a person: who has to act, and on what. */
class ReconcileErrorsTest {

  private static KubernetesClientException refused(int code, String message) {
    return new KubernetesClientException(new StatusBuilder().withCode(code).withMessage(message).build());
  }

  @Test
  void anRbacDenialAsksForTheGrant() {
    var e = refused(403, "pods is forbidden: User \"system:serviceaccount:gangway-system:gangway\" cannot create resource \"pods\""
        + " in API group \"\" in the namespace \"ml\"");
    assertThat(ReconcileErrors.reason(e)).isEqualTo("Forbidden");
    assertThat(ReconcileErrors.message(e)).contains("cannot create resource \"pods\"", "Grant the verb to the operator's ServiceAccount");
  }

  @Test
  void anAdmissionRefusalNamesTheObjectsProblemNotAGrant() {
    for (String message : new String[] {"pods \"llm-r0-a1\" is forbidden: no PriorityClass with name jax was found",
        "pods \"llm-r1-a1\" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=8, used: requests.nvidia.com/gpu=8,"
            + " limited: requests.nvidia.com/gpu=8",
        "pods \"llm-r0-a1\" is forbidden: error looking up service account ml/trainer: serviceaccount \"trainer\" not found"}) {
      var e = refused(403, message);
      assertThat(ReconcileErrors.reason(e)).as(message).isEqualTo("AdmissionRefused");
      assertThat(ReconcileErrors.message(e)).as(message).contains(message).doesNotContain("Grant the verb");
    }
  }

  @Test
  void otherFailuresAreApiOrInternalErrors() {
    assertThat(ReconcileErrors.reason(refused(422, "Service \"a.b\" is invalid"))).isEqualTo("ApiError");
    assertThat(ReconcileErrors.reason(new IllegalStateException("bug"))).isEqualTo("InternalError");
  }

  @Test
  void aNotFoundNamingTheJobMeansTheJobIsGone() {
    // The kube-apiserver's answer to a status write for a job deleted meanwhile (copied from an operator log).
    var deleted = new KubernetesClientException(new StatusBuilder().withCode(404).withReason("NotFound")
        .withMessage("trainingjobs.gangway.dev \"start-1\" not found")
        .withNewDetails().withGroup("gangway.dev").withKind("trainingjobs").withName("start-1").endDetails().build());
    assertThat(ReconcileErrors.objectGone(deleted, "start-1")).isTrue();
    assertThat(ReconcileErrors.objectGone(deleted, "start-2")).isFalse();
    // A missing API or status subresource names no object: an error to report, not a job gone.
    assertThat(ReconcileErrors.objectGone(refused(404, "the server could not find the requested resource"), "start-1")).isFalse();
    assertThat(ReconcileErrors.objectGone(refused(409, "conflict"), "start-1")).isFalse();
  }
}

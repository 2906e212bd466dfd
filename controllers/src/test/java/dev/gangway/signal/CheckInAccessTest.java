package dev.gangway.signal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.checkpoint.CheckpointReport;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckInAccessTest {
  private static final CheckpointReport LLAMA = new CheckpointReport("team-a", "llama", "uid-llama", 1, 100, "/ckpt/100", null);

  @Test
  void aBearerTokenIsReadFromTheAuthorizationHeaderAndNothingElseCounts() {
    assertThat(IntakeToken.fromAuthorizationHeader("Bearer abc")).isEqualTo("abc");
    assertThat(IntakeToken.fromAuthorizationHeader("bearer  abc ")).isEqualTo("abc");
    assertThat(IntakeToken.fromAuthorizationHeader(null)).isNull();
    assertThat(IntakeToken.fromAuthorizationHeader("Bearer ")).isNull();
    assertThat(IntakeToken.fromAuthorizationHeader("Basic YTpi")).isNull();
    assertThat(IntakeToken.fromAuthorizationHeader("abc")).isNull();
  }

  @Test
  void noTokenIs401NamingTheAudienceAndWhereRanksFindTheirs() {
    assertThat(CheckInAccess.tokenPresent(null)).hasValueSatisfying(a -> {
      assertThat(a.status()).isEqualTo(401);
      assertThat(a.message()).contains("gangway.dev/intake").contains("GANGWAY_TOKEN_FILE");
    });
    assertThat(CheckInAccess.tokenPresent("t")).isEmpty();
  }

  @Test
  void aTokenTheApiServerDidNotAcceptIs401WithItsReason() {
    assertThat(CheckInAccess.checkpoint(Caller.rejected("token audiences [\"api\"] is invalid for the target audiences"), null, LLAMA))
        .hasValueSatisfying(a -> {
          assertThat(a.status()).isEqualTo(401);
          assertThat(a.message()).contains("audiences");
        });
    assertThat(CheckInAccess.nodeHealth(Caller.rejected("expired"), true, null)).hasValueSatisfying(a -> assertThat(a.status()).isEqualTo(401));
  }

  @Test
  void aRankOfTheJobMayReportForIt() {
    assertThat(CheckInAccess.checkpoint(rank("llama-r0-a1", "pod-uid-1"), pod("team-a", "llama-r0-a1", "pod-uid-1", "llama", "uid-llama"), LLAMA))
        .isEmpty();
  }

  @Test
  void aRankOfAnotherJobIs403NamingBothJobs() {
    assertThat(CheckInAccess.checkpoint(rank("other-r0-a1", "pod-uid-2"), pod("team-a", "other-r0-a1", "pod-uid-2", "other", "uid-other"),
        LLAMA)).hasValueSatisfying(a -> {
          assertThat(a.status()).isEqualTo(403);
          assertThat(a.message()).contains("system:serviceaccount:team-a:default").contains("team-a/other").contains("team-a/llama");
        });
  }

  @Test
  void aRankOfAnEarlierJobOfTheSameNameIs403() {
    assertThat(CheckInAccess.checkpoint(rank("llama-r0-a1", "p"), pod("team-a", "llama-r0-a1", "p", "llama", "uid-old-llama"), LLAMA))
        .hasValueSatisfying(a -> assertThat(a.message()).contains("uid-old-llama"));
  }

  @Test
  void aPodOfAnotherNamespaceIs403() {
    Caller elsewhere = Caller.user("system:serviceaccount:team-b:default", "u", List.of(),
        Map.of(Caller.POD_NAME, List.of("llama-r0-a1"), Caller.POD_UID, List.of("p")));
    assertThat(CheckInAccess.checkpoint(elsewhere, pod("team-b", "llama-r0-a1", "p", "llama", "uid-llama"), LLAMA))
        .hasValueSatisfying(a -> {
          assertThat(a.status()).isEqualTo(403);
          assertThat(a.message()).contains("not in namespace team-a");
        });
  }

  @Test
  void aTokenNotBoundToAPodIs403() {
    Caller agent = Caller.user("system:serviceaccount:team-a:default", "u", List.of(), Map.of());
    assertThat(CheckInAccess.checkpoint(agent, null, LLAMA)).hasValueSatisfying(a -> {
      assertThat(a.status()).isEqualTo(403);
      assertThat(a.message()).contains("not bound to a pod");
    });
    Caller person = Caller.user("alice", "u", List.of("system:authenticated"), Map.of(Caller.POD_NAME, List.of("llama-r0-a1")));
    assertThat(CheckInAccess.checkpoint(person, null, LLAMA)).hasValueSatisfying(a -> assertThat(a.status()).isEqualTo(403));
  }

  @Test
  void aDeletedOrReplacedPodIs403() {
    assertThat(CheckInAccess.checkpoint(rank("llama-r0-a1", "p"), null, LLAMA))
        .hasValueSatisfying(a -> assertThat(a.message()).contains("no longer exists"));
    assertThat(CheckInAccess.checkpoint(rank("llama-r0-a1", "p"), pod("team-a", "llama-r0-a1", "p-new", "llama", "uid-llama"), LLAMA))
        .hasValueSatisfying(a -> assertThat(a.message()).contains("replaced"));
  }

  @Test
  void aPodWithoutAControllingTrainingJobIs403() {
    Pod loose = pod("team-a", "llama-r0-a1", "p", "llama", "uid-llama");
    loose.getMetadata().getOwnerReferences().get(0).setController(false);
    assertThat(CheckInAccess.checkpoint(rank("llama-r0-a1", "p"), loose, LLAMA))
        .hasValueSatisfying(a -> assertThat(a.message()).contains("not a rank of any TrainingJob"));
    Pod ownedByAJob = pod("team-a", "llama-r0-a1", "p", "llama", "uid-llama");
    ownedByAJob.getMetadata().getOwnerReferences().get(0).setApiVersion("batch/v1");
    assertThat(CheckInAccess.checkpoint(rank("llama-r0-a1", "p"), ownedByAJob, LLAMA)).hasValueSatisfying(a -> assertThat(a.status()).isEqualTo(403));
  }

  @Test
  void nodeHealthNeedsTheGrantAndTheRefusalSaysWhichToGive() {
    Caller agent = Caller.user("system:serviceaccount:gpu-health:agent", "u", List.of(), Map.of());
    assertThat(CheckInAccess.nodeHealth(agent, true, "RBAC: allowed by ClusterRoleBinding")).isEmpty();
    assertThat(CheckInAccess.nodeHealth(agent, false, "")).hasValueSatisfying(a -> {
      assertThat(a.status()).isEqualTo(403);
      assertThat(a.message()).contains("system:serviceaccount:gpu-health:agent").contains("'create' on 'nodehealthsignals'")
          .contains("'gangway.dev'").contains("node-health-reporter");
    });
  }

  @Test
  void theServiceAccountNamespaceComesFromTheUsernameOnly() {
    assertThat(Caller.user("system:serviceaccount:team-a:trainer", "u", null, null).serviceAccountNamespace()).isEqualTo("team-a");
    assertThat(Caller.user("system:serviceaccount:", "u", null, null).serviceAccountNamespace()).isNull();
    assertThat(Caller.user("alice", "u", null, null).serviceAccountNamespace()).isNull();
    assertThat(Caller.user("alice", "u", null, Map.of(Caller.POD_NAME, List.of("a", "b"))).podName()).isNull();
  }

  private static Caller rank(String pod, String podUid) {
    return Caller.user("system:serviceaccount:team-a:default", "sa-uid", List.of("system:serviceaccounts"),
        Map.of(Caller.POD_NAME, List.of(pod), Caller.POD_UID, List.of(podUid)));
  }

  private static Pod pod(String namespace, String name, String uid, String job, String jobUid) {
    return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withUid(uid)
        .addNewOwnerReference().withApiVersion("gangway.dev/v1alpha1").withKind("TrainingJob").withName(job).withUid(jobUid)
        .withController(true).endOwnerReference().endMetadata().build();
  }
}

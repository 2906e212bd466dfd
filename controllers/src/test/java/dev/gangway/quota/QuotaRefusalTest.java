package dev.gangway.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaRefusalTest {

  @Test
  void theQuotaAndWhatThePodCountedAreReadFromTheAdmissionsMessage() {
    QuotaRefusal one = QuotaRefusal.of("pods \"llm-r1-a1\" is forbidden: exceeded quota: gpus, requested: requests.nvidia.com/gpu=8, "
        + "used: requests.nvidia.com/gpu=8, limited: requests.nvidia.com/gpu=8").orElseThrow();
    assertThat(one.quota()).isEqualTo("gpus");
    assertThat(one.requestedPerPod()).containsExactly(Map.entry("requests.nvidia.com/gpu", new BigDecimal("8")));
    assertThat(one.message()).startsWith("pods \"llm-r1-a1\" is forbidden");

    QuotaRefusal two = QuotaRefusal.of("pods \"j-r0-a1\" is forbidden: exceeded quota: team-a, requested: limits.memory=64Gi,requests.cpu=1500m, "
        + "used: limits.memory=100Gi,requests.cpu=3, limited: limits.memory=128Gi,requests.cpu=4").orElseThrow();
    assertThat(two.quota()).isEqualTo("team-a");
    assertThat(two.requestedPerPod()).hasSize(2);
    assertThat(two.requestedPerPod().get("requests.cpu")).isEqualByComparingTo("1.5");
    assertThat(two.requestedPerPod().get("limits.memory")).isEqualByComparingTo(BigDecimal.valueOf(64L << 30));
  }

  @Test
  void otherRefusalsAreNotQuotaRefusals() {
    assertThat(QuotaRefusal.of("pods \"j-r0-a1\" is forbidden: violates PodSecurity \"restricted:latest\": privileged")).isEmpty();
    assertThat(QuotaRefusal.of("pods \"j-r0-a1\" is forbidden: User \"system:serviceaccount:gangway:gangway\" cannot create resource"))
        .isEmpty();
    assertThat(QuotaRefusal.of(null)).isEmpty();
  }

  @Test
  void whatTheAdmissionCountedRaisesWhatTheTemplateSaysAndOnlyForThatJob() {
    QuotaRefusals refusals = new QuotaRefusals();
    refusals.refused("team-a/llm", 1, QuotaRefusal.of("exceeded quota: cpu, requested: cpu=2, used: cpu=2, limited: cpu=3").orElseThrow());
    Map<String, BigDecimal> template = Map.of("requests.cpu", BigDecimal.ONE, "requests.nvidia.com/gpu", BigDecimal.valueOf(8));
    assertThat(refusals.perRank("team-a/llm", template)).as("a bare cpu is requested cpu")
        .containsEntry("requests.cpu", BigDecimal.valueOf(2)).containsEntry("requests.nvidia.com/gpu", BigDecimal.valueOf(8));
    assertThat(refusals.perRank("team-a/other", template)).isEqualTo(template);
    assertThat(refusals.quotasCounting("team-a/llm")).containsExactly("cpu");
    assertThat(refusals.rollingBack("team-a/llm", 1)).isPresent();
    assertThat(refusals.rollingBack("team-a/llm", 2)).as("another attempt").isEmpty();
    refusals.rolledBack("team-a/llm");
    assertThat(refusals.rollingBack("team-a/llm", 1)).isEmpty();
    assertThat(refusals.quotasCounting("team-a/llm")).as("still counted after the rollback").containsExactly("cpu");
    refusals.retain(key -> !key.equals("team-a/llm"));
    assertThat(refusals.quotasCounting("team-a/llm")).isEmpty();
  }

  @Test
  void aChangedSpecIsCountedFromItsTemplateAgainButTheRefusedAttemptsPodsStillGo() {
    QuotaRefusals refusals = new QuotaRefusals();
    refusals.refused("team-a/llm", 1, QuotaRefusal.of("exceeded quota: cpu, requested: cpu=4, used: cpu=0, limited: cpu=3").orElseThrow());
    Map<String, BigDecimal> smaller = Map.of("requests.cpu", BigDecimal.ONE);
    assertThat(refusals.perRank("team-a/llm", smaller)).containsEntry("requests.cpu", BigDecimal.valueOf(4));

    refusals.specChanged("team-a/llm");
    assertThat(refusals.perRank("team-a/llm", smaller)).as("the template made smaller while it waited").isEqualTo(smaller);
    assertThat(refusals.quotasCounting("team-a/llm")).isEmpty();
    assertThat(refusals.rollingBack("team-a/llm", 1)).isPresent();
  }
}

package dev.gangway.e2e.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class WaitReasonsTest {

  private static String event(String job, String reason, String message) {
    return """
        {"involvedObject": {"kind": "TrainingJob", "name": "%s"}, "reason": "%s", "message": "%s"}""".formatted(job, reason, message);
  }

  @Test
  void eachJobsWaitsAreNamedByKindOnceEach() throws IOException {
    String json = "{\"items\": [" + String.join(",",
        event("j012", "WaitingForPlacement", "bench/j011 is first in the queue (priority 0, waiting since T) and holds 512 GPUs"),
        event("j012", "WaitingForPlacement", "it fits now with a ring all-reduce 18.0× as slow (its slowest link: rack) as on the "
            + "nodes usable now, were they idle (host). Holding out for that until T (spec.topology.waitForTighterSeconds)"),
        event("j012", "Placed", "placed on 1 node"),
        event("j016", "WaitingForPlacement", "it fits now on 2 racks; on the nodes usable now, were they idle, on 1 rack. Holding "
            + "out for that until T"),
        event("j003", "WaitingForPlacement", "needs 64 ranks with 4 free GPUs each; the cluster has room for 12 such ranks now")) + "]}";

    var reasons = WaitReasons.of(new ObjectMapper().readTree(json));

    assertThat(reasons.keySet()).containsExactly("j003", "j012", "j016");
    assertThat(reasons.get("j012")).containsExactly(WaitReasons.BEHIND_HEAD, WaitReasons.FASTER_RING);
    assertThat(reasons.get("j016")).containsExactly(WaitReasons.TIGHTER);
    assertThat(reasons.get("j003")).singleElement().asString().startsWith("other: needs 64 ranks");
  }
}

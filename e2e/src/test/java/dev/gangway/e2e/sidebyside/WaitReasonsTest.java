package dev.gangway.e2e.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class WaitReasonsTest {

  private static String event(String name, String job, String second, String reason, String message) {
    return """
        {"metadata": {"name": "%s"}, "involvedObject": {"kind": "TrainingJob", "name": "%s"},
         "firstTimestamp": "2026-12-06T17:00:%sZ", "reason": "%s", "message": "%s"}""".formatted(name, job, second, reason, message);
  }

  @Test
  void withinOneSecondTheEventTimeOrdersAJobsEvents() throws IOException {
    // Both in second :10 by the legacy timestamps; eventTime says the hold-out came first. Listed the other way round.
    String json = """
        {"items": [
         {"involvedObject": {"kind": "TrainingJob", "name": "j1"}, "firstTimestamp": "2026-12-06T17:00:10Z",
          "eventTime": "2026-12-06T17:00:10.900000Z", "reason": "WaitingForPlacement", "message": "bench/j0 is first in the queue"},
         {"involvedObject": {"kind": "TrainingJob", "name": "j1"}, "firstTimestamp": "2026-12-06T17:00:10Z",
          "eventTime": "2026-12-06T17:00:10.100000Z", "reason": "WaitingForPlacement", "message": "it fits now on 2 racks. Holding out for that until T"},
         {"involvedObject": {"kind": "TrainingJob", "name": "j1"}, "firstTimestamp": "2026-12-06T17:00:13Z",
          "eventTime": "2026-12-06T17:00:13.900000Z", "reason": "Placed", "message": "placed"}]}""";

    var waits = WaitReasons.of(new ObjectMapper().readTree(json)).get("j1");

    assertThat(waits.keySet()).containsExactly(WaitReasons.TIGHTER, WaitReasons.BEHIND_HEAD);
    assertThat(waits).containsEntry(WaitReasons.BEHIND_HEAD, 3.0).containsEntry(WaitReasons.TIGHTER, 0.8);
  }

  @Test
  void eachJobsWaitsAreNamedInTimeOrderWithTheSecondsUntilItsNextEvent() throws IOException {
    // Listed by name, as the API server lists them: j012's hold-out comes first in the list but second in time.
    String json = "{\"items\": [" + String.join(",",
        event("j012.a", "j012", "14", "WaitingForPlacement", "it fits now with a ring all-reduce 18.0× as slow (its slowest "
            + "link: rack) as on the nodes usable now, were they idle (host). Holding out for that until T"),
        event("j012.b", "j012", "10", "WaitingForPlacement", "bench/j011 is first in the queue (priority 0, waiting since T)"),
        event("j012.c", "j012", "25", "Placed", "placed on 1 node"),
        // The first reconcile records Started beside the first reason to wait: it ends no wait.
        event("j012.e", "j012", "10", "Started", "Starting attempt 1: 2 ranks x 4 GPUs"),
        event("j012.f", "j012", "11", "Started", "Starting attempt 1: 2 ranks x 4 GPUs"),
        event("j012.d", "j012", "12", "WaitingForPlacement", "bench/j011 is first in the queue (priority 0, waiting since U)"),
        event("j016.a", "j016", "05", "WaitingForPlacement", "it fits now on 2 racks; on the nodes usable now, were they idle, "
            + "on 1 rack. Holding out for that until T"),
        event("j016.b", "j016", "35", "Placed", "placed on 1 rack"),
        event("j003.a", "j003", "01", "WaitingForPlacement", "needs 64 ranks with 4 free GPUs each; the cluster has room for 12"),
        event("j020.a", "j020", "01", "Placed", "placed at once"),
        """
        {"metadata": {"name": "n1.a"}, "involvedObject": {"kind": "Node", "name": "n1"}, "firstTimestamp": "2026-12-06T17:00:00Z",
         "reason": "WaitingForPlacement", "message": "not a job"}""") + "]}";

    var waits = WaitReasons.of(new ObjectMapper().readTree(json));

    assertThat(waits.keySet()).containsExactly("j003", "j012", "j016");
    assertThat(waits.get("j012")).containsExactly(entry(WaitReasons.BEHIND_HEAD, 4.0), entry(WaitReasons.FASTER_RING, 11.0));
    assertThat(waits.get("j016")).containsExactly(entry(WaitReasons.TIGHTER, 30.0));
    // Still waiting when listed: no time counted yet.
    assertThat(waits.get("j003")).hasSize(1).containsValue(0.0);
    assertThat(waits.get("j003").keySet()).singleElement().asString().startsWith("other: needs 64 ranks");
    assertThat(WaitReasons.describe(waits.get("j012"))).isEqualTo("queued behind the head 4.0 s, held out for a faster ring 11.0 s");
  }
}

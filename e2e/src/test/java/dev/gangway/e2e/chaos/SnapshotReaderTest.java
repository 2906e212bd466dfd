package dev.gangway.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SnapshotReaderTest {
  @Test
  void readsJobsRankPodsAndNodesFromOneMixedList() throws Exception {
    String json = """
        {"kind":"List","items":[
         {"kind":"TrainingJob","metadata":{"namespace":"ns","name":"j","uid":"u1"},
          "status":{"phase":"Running","attempt":2,"restarts":1,"infrastructureRestarts":0,"lastCheckpoint":{"step":40},
                    "conditions":[{"type":"Placed","status":"True","reason":"GangPlaced"}]}},
         {"kind":"Pod","metadata":{"namespace":"ns","name":"j-r1-a2","labels":{"gangway.dev/job-name":"j","gangway.dev/rank":"1",
           "gangway.dev/attempt":"2"},"annotations":{"gangway.dev/reserved-node":"n1"},"deletionTimestamp":"2026-12-01T10:00:00Z",
           "ownerReferences":[{"kind":"TrainingJob","uid":"u1"}]},
          "spec":{"containers":[{"resources":{"limits":{"nvidia.com/gpu":"4"}}}]},"status":{"phase":"Pending"}},
         {"kind":"Pod","metadata":{"namespace":"kube-system","name":"other"},"spec":{"nodeName":"n1"},"status":{"phase":"Running"}},
         {"kind":"Node","metadata":{"name":"n1"},"status":{"allocatable":{"nvidia.com/gpu":"8"},
          "conditions":[{"type":"Ready","status":"False"}]}}]}""";
    Snapshot s = SnapshotReader.read(new ObjectMapper().readTree(json), Instant.EPOCH);
    assertThat(s.jobs()).containsExactly(new Snapshot.JobFact("ns", "j", "u1", "Running", 2, 1, 0, 40L, "True/GangPlaced"));
    assertThat(s.pods()).containsExactly(new Snapshot.PodFact("ns", "j-r1-a2", "j", "u1", 1, 2, "Pending", true, null, "n1", 4));
    assertThat(s.pods().get(0).live()).isFalse();
    assertThat(s.pods().get(0).node()).isEqualTo("n1");
    assertThat(s.nodes()).containsExactly(new Snapshot.NodeFact("n1", 8, false));
  }
}

package dev.gangway.placement;

import dev.gangway.topology.Topology;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A random small cluster and gang request, drawn from one seed so that a failing case is
 * reproduced by its seed alone. Four levels, some labels missing, taints, pools, cordoned and
 * NotReady nodes, other gangs' and the job's own reservations, partial use of every resource.
 */
record Scenario(long seed, ClusterSnapshot snapshot, GangRequest request, List<NodeState> nodes) {

  static final String POOL = "example.com/pool";

  static Scenario random(long seed) {
    Random rnd = new Random(seed);
    Topology topo = Clusters.FOUR_LEVELS;
    List<NodeState> nodes = new ArrayList<>();
    List<Reservation> reservations = new ArrayList<>();
    int blocks = 1 + rnd.nextInt(3);
    int n = 0;
    for (int b = 0; b < blocks; b++) {
      int racks = 1 + rnd.nextInt(3);
      for (int r = 0; r < racks; r++) {
        int cliques = 1 + rnd.nextInt(2);
        for (int c = 0; c < cliques; c++) {
          int hosts = 1 + rnd.nextInt(3);
          for (int h = 0; h < hosts; h++) {
            String name = "n" + (n++);
            int gpus = rnd.nextInt(4) == 0 ? 4 : 8;
            NodeState.Builder nb = NodeState.builder(name).allocatable(gpus, 32_000, 256L << 30)
                .used(new Resources(rnd.nextInt(gpus + 1), rnd.nextInt(4) * 8_000L, rnd.nextInt(4) * (64L << 30)));
            if (rnd.nextInt(10) > 0) nb.label(Clusters.BLOCK, "b" + b);
            if (rnd.nextInt(10) > 0) nb.label(Clusters.RACK, "b" + b + "r" + r);
            if (rnd.nextInt(10) > 0) nb.label(Clusters.NVLINK, "b" + b + "r" + r + "c" + c);
            if (rnd.nextInt(7) == 0) nb.taint("gpu", "bad", rnd.nextBoolean() ? "NoSchedule" : "NoExecute");
            if (rnd.nextInt(9) == 0) nb.taint("maintenance", "soon", "PreferNoSchedule");
            nb.label(POOL, rnd.nextBoolean() ? "a" : "b");
            nb.ready(rnd.nextInt(20) > 0).unschedulable(rnd.nextInt(20) == 0);
            nodes.add(nb.build());
            if (rnd.nextInt(8) == 0) reservations.add(new Reservation("ns/other", name, Resources.gpus(1 + rnd.nextInt(4))));
            if (rnd.nextInt(10) == 0) reservations.add(new Reservation("ns/job", name, Resources.gpus(1 + rnd.nextInt(2))));
          }
        }
      }
    }
    int replicas = 1 + rnd.nextInt(12);
    int[] gpuChoices = {0, 1, 1, 2, 2, 4, 4, 8};
    GangRequest.Builder req = GangRequest.builder("ns/job").replicas(replicas)
        .perRank(new Resources(gpuChoices[rnd.nextInt(gpuChoices.length)], rnd.nextInt(3) * 4_000L,
            rnd.nextInt(3) * (16L << 30)));
    String[] levels = {"block", "rack", "nvlink-domain", "host"};
    if (rnd.nextInt(3) == 0) req.required(levels[rnd.nextInt(levels.length)]);
    if (rnd.nextInt(4) == 0) req.preferred(levels[rnd.nextInt(levels.length)]);
    if (rnd.nextInt(3) == 0) {
      List<Integer> divisors = new ArrayList<>();
      for (int d = 2; d <= replicas; d++) if (replicas % d == 0) divisors.add(d);
      if (!divisors.isEmpty()) req.groups(divisors.get(rnd.nextInt(divisors.size())), levels[1 + rnd.nextInt(3)]);
    }
    if (rnd.nextInt(3) == 0) req.toleration(new TolerationBuilder().withKey("gpu").withOperator("Exists").build());
    if (rnd.nextInt(5) == 0) req.nodeSelector(POOL, "a");
    if (rnd.nextInt(5) == 0 && !nodes.isEmpty()) req.exclude(nodes.get(rnd.nextInt(nodes.size())).name());
    // The API server lists nodes in any order; the snapshot must not care.
    List<NodeState> listed = new ArrayList<>(nodes);
    Collections.shuffle(listed, rnd);
    return new Scenario(seed, new ClusterSnapshot(topo, listed, reservations), req.build(), listed);
  }

  @Override
  public String toString() {
    return "Scenario(seed=" + seed + ", request=" + request + ")";
  }
}

package dev.gangway.placement;

import dev.gangway.topology.Level;
import dev.gangway.topology.Topology;

/**
 * How placement counts a (valid) gang on a topology: in whole groups of {@code groupSize} ranks that
 * must share {@code groupLevel}, or in single ranks, and which level the whole gang must share.
 *
 * @param requiredLevel index of spec.topology.required; -1 when none
 * @param groupLevel index of the level each group shares; -1 when the gang is counted in ranks
 * @param units groups when grouped, else ranks
 */
record GangShape(int requiredLevel, int groupSize, int groupLevel, long units) {

  static GangShape of(Topology topo, GangRequest req) {
    int required = levelIndex(topo, req.requiredLevel());
    int groupLevel = levelIndex(topo, req.groupLevel());
    int groupSize = req.groupSize();
    // A gang that must share a level as deep as (or deeper than) its group level keeps its groups together anyway.
    if (groupSize <= 1 || (required >= 0 && required >= groupLevel)) {
      groupSize = 1;
      groupLevel = -1;
    }
    long units = groupLevel >= 0 ? req.replicas() / groupSize : req.replicas();
    return new GangShape(required, groupSize, groupLevel, units);
  }

  boolean grouped() {
    return groupLevel >= 0;
  }

  static int levelIndex(Topology topo, String name) {
    if (name == null) return -1;
    return topo.level(name).map(Level::index).orElse(-1);
  }
}

package dev.gangway.topology;

import dev.gangway.api.v1alpha1.ClusterTopologySpec;
import dev.gangway.api.v1alpha1.TopologyLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The levels of a ClusterTopology, outermost first, with their bandwidths; immutable. */
public final class Topology {

  /** Shared level of two GPUs that share no domain at all (different blocks). */
  public static final int NO_SHARED_LEVEL = -1;

  private final List<Level> levels;
  private final double crossBlockBandwidthGBps;

  public Topology(List<Level> levels, double crossBlockBandwidthGBps) {
    if (levels.isEmpty()) {
      throw new IllegalArgumentException("a topology needs at least one level (the host level, kubernetes.io/hostname)");
    }
    this.levels = List.copyOf(levels);
    this.crossBlockBandwidthGBps = crossBlockBandwidthGBps;
  }

  /** Reads the API object; a missing crossBlockBandwidthGBps defaults to the outermost level's bandwidth, as the API documents. */
  public static Topology from(ClusterTopologySpec spec) {
    List<Level> levels = new ArrayList<>();
    for (TopologyLevel l : spec.getLevels()) {
      double bw = l.getBandwidthGBps() == null ? 0 : l.getBandwidthGBps();
      levels.add(new Level(levels.size(), l.getName(), l.getNodeLabel(), bw));
    }
    if (levels.isEmpty()) {
      throw new IllegalArgumentException("ClusterTopology spec.levels is empty: list the levels outermost first, the host level last");
    }
    double cross = spec.getCrossBlockBandwidthGBps() != null ? spec.getCrossBlockBandwidthGBps() : levels.get(0).bandwidthGBps();
    return new Topology(levels, cross);
  }

  /** Shorthand for tests and benchmarks: alternating name, label pairs with bandwidths. */
  public static Topology of(double crossBlockBandwidthGBps, Level... levels) {
    return new Topology(List.of(levels), crossBlockBandwidthGBps);
  }

  public List<Level> levels() { return levels; }

  public int depth() { return levels.size(); }

  public Level level(int index) { return levels.get(index); }

  public Optional<Level> level(String name) {
    return levels.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  public double crossBlockBandwidthGBps() { return crossBlockBandwidthGBps; }

  /** Bandwidth between two GPUs whose deepest shared level is {@code sharedLevel} ({@link #NO_SHARED_LEVEL} for none). */
  public double bandwidthGBps(int sharedLevel) {
    return sharedLevel == NO_SHARED_LEVEL ? crossBlockBandwidthGBps : levels.get(sharedLevel).bandwidthGBps();
  }
}

package dev.gangway.sim.failure;

/**
 * A fault at simulated time {@code time} (ms) on node {@code node} (index into the fleet).
 *
 * @param repairMillis how long a node fault keeps the node broken; 0 for software faults
 */
public record Fault(long time, int node, Component component, long repairMillis) {
}

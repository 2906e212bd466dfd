package dev.gangway.topology;

/**
 * One level of the network hierarchy.
 *
 * @param index 0 for the outermost level, increasing inwards
 * @param bandwidthGBps per-GPU bandwidth between two GPUs whose deepest shared domain is this level
 */
public record Level(int index, String name, String nodeLabel, double bandwidthGBps) {
}

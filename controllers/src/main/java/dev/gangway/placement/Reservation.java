package dev.gangway.placement;

/**
 * Resources that a gang placed earlier holds on a node before its pods are bound. They count as used
 * for every other job; a job's own reservations are free to it, so re-placing a job never competes with itself.
 */
public record Reservation(String jobKey, String node, Resources resources) {
}

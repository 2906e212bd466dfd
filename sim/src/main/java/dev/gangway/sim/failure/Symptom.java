package dev.gangway.sim.failure;

/** How a fault shows itself to the job and to Kubernetes. */
public enum Symptom {
  /** A rank's process exits non-zero (an XID kills the CUDA context, an uncaught exception). */
  EXIT,
  /** The ranks stay alive but the collective stalls (a link or GPU stops answering) until a timeout fires. */
  HANG,
  /** The node stops reporting: kubelet heartbeats end, the node turns NotReady. */
  NODE_DOWN;

  public static Symptom parse(String s) {
    return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "exit" -> EXIT;
      case "hang" -> HANG;
      case "node-down", "node_down", "nodedown" -> NODE_DOWN;
      default -> throw new IllegalArgumentException("unknown symptom '" + s + "': use exit, hang or node-down");
    };
  }
}

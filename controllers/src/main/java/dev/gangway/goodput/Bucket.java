package dev.gangway.goodput;

/**
 * Where a job's time went, one name per cause for the simulator (sim/, every millisecond from submission
 * to the end lands in exactly one) and the operator ({@link GoodputAccount}, status.goodput and the
 * metrics, which fill the buckets a running operator can observe: USEFUL, LOST_WORK, DETECTION, RESTART,
 * WAITING_CAPACITY).
 */
public enum Bucket {
  /** Training kept: progress covered by an accepted checkpoint, or by the job's end. */
  USEFUL("useful training"),
  /** Progress made since the last accepted checkpoint and lost to a failure. */
  LOST_WORK("work since last checkpoint"),
  /** From the fault until the failure was acted on (gang hung or partly dead). */
  DETECTION("detection"),
  /** Teardown, backoff, start-up (pods, rendezvous, NCCL init) and checkpoint load, first start included. */
  RESTART("restart and re-placement"),
  /** In the queue: no capacity for the gang (first placement or after a restart). */
  WAITING_CAPACITY("waiting for capacity"),
  /** Holding its nodes while a failed one is repaired (restart in place). */
  WAITING_REPAIR("waiting for repair"),
  /** Running slower than at the best placement the capacity allowed (ring all-reduce above the bound). */
  SLOW_PLACEMENT("slow placement"),
  /** Training stopped while a checkpoint is written. */
  CHECKPOINT_WRITE("checkpoint writes");

  private final String label;

  Bucket(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}

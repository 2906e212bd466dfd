package dev.gangway.sim.run;

import dev.gangway.goodput.Bucket;

/** Where a job is in its life; each phase but RUNNING charges its time to one bucket. */
enum Phase {
  PENDING(null),
  QUEUED(Bucket.WAITING_CAPACITY),
  STARTING(Bucket.RESTART),
  RUNNING(null),
  CHECKPOINTING(Bucket.CHECKPOINT_WRITE),
  BROKEN(Bucket.DETECTION),
  RECOVERING(Bucket.RESTART),
  WAITING_REPAIR(Bucket.WAITING_REPAIR),
  DONE(null);

  final Bucket bucket;

  Phase(Bucket bucket) {
    this.bucket = bucket;
  }

  boolean active() {
    return this == STARTING || this == RUNNING || this == CHECKPOINTING;
  }
}

package dev.gangway.e2e.chaos;

import java.time.Instant;

/** A TrainingJob the run deleted, as a user would: its pods must be gone soon after. */
public record DeletedJob(String namespace, String name, String uid, Instant deletedAt) {
}

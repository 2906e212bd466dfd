package dev.gangway.goodput;

import java.time.Instant;

/**
 * An attempt that stopped running without finishing the job (a failure that restarts or fails it, or a
 * suspension): its training since the last checkpoint is lost. Times come from different clocks (the
 * kubelet's, the training code's, the operator's) and are clamped into order, never trusted.
 *
 * @param runningSince when every rank of the attempt was running, or null if unknown
 * @param lastCheckpoint when the attempt's last complete checkpoint was reported, or null if it wrote none
 * @param failedAt when the failure happened, or null to take the moment it was decided
 * @param detectedAt when Gangway noticed the failure, or null to take the moment it was decided
 */
public record AttemptEnd(Instant runningSince, Instant lastCheckpoint, Instant failedAt, Instant detectedAt) {
}

package dev.gangway.e2e.chaos;

import java.time.Instant;

/** A checkpoint report POSTed to a replica and answered 2xx: Gangway promised to keep it. */
public record CheckIn(String namespace, String job, String uid, int attempt, long step, Instant acknowledgedAt, String replica) {
}

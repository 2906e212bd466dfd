package dev.gangway.events;

/**
 * Sends job lifecycle events to whoever listens (the {@code job-events} channel in the operator).
 * Implementations never block the caller and never throw: an event that cannot be sent is logged
 * and dropped, because a reconcile must not fail over a notification.
 */
public interface JobCloudEventPublisher {

  void publish(JobCloudEvent event);

  /** Drops every event: for tests and for running without a channel. */
  static JobCloudEventPublisher discarding() {
    return event -> {
    };
  }
}

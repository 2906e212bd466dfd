package dev.gangway.events;

/**
 * Sends job lifecycle events to whoever listens (the {@code job-events} channel in the operator).
 * Implementations never block the caller and never throw: an event that cannot be sent is logged
 * and dropped, because a reconcile must not fail over a notification.
 */
public interface JobEventPublisher {

  void publish(JobLifecycleEvent event);

  /** Drops every event: for tests and for running without a channel. */
  static JobEventPublisher discarding() {
    return event -> {
    };
  }
}

package dev.gangway.pod;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/** The termination message the main container left (terminationMessagePath), if it has terminated. */
public final class TerminationMessages {
  /** The policy under which the kubelet puts a failed container's last log lines into its termination message. */
  public static final String LOGS_ON_ERROR = "FallbackToLogsOnError";

  private TerminationMessages() {
  }

  public static Optional<String> of(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null || pod.getSpec().getContainers().isEmpty()) {
      return Optional.empty();
    }
    String main = pod.getSpec().getContainers().get(0).getName();
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> main.equals(s.getName()))
        .map(ContainerStatus::getState)
        .filter(state -> state != null && state.getTerminated() != null && state.getTerminated().getMessage() != null)
        .map(state -> state.getTerminated().getMessage())
        .findFirst();
  }

  /**
   * Whether the main container runs under {@link #LOGS_ON_ERROR}: when it fails without writing a message, the kubelet
   * fills the message from the end of its log, so an empty message means it logged nothing.
   */
  public static boolean fallsBackToLogs(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getContainers().isEmpty()) {
      return false;
    }
    return LOGS_ON_ERROR.equals(pod.getSpec().getContainers().get(0).getTerminationMessagePolicy());
  }
}

package dev.gangway.pod;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/** The termination message the main container left (terminationMessagePath), if it has terminated. */
public final class TerminationMessages {

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
}

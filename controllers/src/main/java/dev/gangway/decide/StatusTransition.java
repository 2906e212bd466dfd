package dev.gangway.decide;

import dev.gangway.api.v1alpha1.TrainingJobStatus;
import java.util.List;

/** The status a job should have now, and the events its change is worth. */
public record StatusTransition(TrainingJobStatus status, List<JobEvent> events) {
}

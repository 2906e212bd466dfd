package dev.gangway.cli;

import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.decide.GangPlacementStep;
import dev.gangway.decide.PlacementDefaults;
import dev.gangway.decide.JobConditions;
import dev.gangway.decide.WaitingGangs;
import dev.gangway.placement.QueuedGang;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code kubectl gangway why JOB}: why a job is not running, from what the operator stored (its
 * conditions) and the queue as the operator orders it ({@link WaitingGangs}, {@link QueuedGang#ORDER}).
 *
 * @param state one word: Running, Finished, Suspended, RestartBackoff, Unschedulable, Blocked (on an
 *     object that does not exist, or its namespace's quota), Queued, Waiting, Starting
 * @param queuePosition 1 for the head of the queue; null when the job is not waiting for placement
 * @param ahead the jobs ahead of it in the queue, head first
 * @param detail what the operator said (the Placed condition's message, or the restart's)
 */
record WaitExplanation(String job, String state, Integer queuePosition, int queueLength, List<String> ahead, String reason,
                       String detail) {

  static WaitExplanation of(TrainingJob job, ClusterState cluster) {
    String key = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
    TrainingJobStatus s = job.getStatus() == null ? new TrainingJobStatus() : job.getStatus();
    JobPhase phase = s.getPhase();
    Optional<Condition> placed = JobConditions.find(s.getConditions(), JobConditions.PLACED);
    if (phase == JobPhase.Running) {
      return new WaitExplanation(key, "Running", null, 0, List.of(), "AllRanksRunning", "All ranks run; nothing is in its way.");
    }
    if (phase != null && phase.isFinished()) {
      Condition end = JobConditions.find(s.getConditions(), phase.name()).orElse(null);
      return new WaitExplanation(key, "Finished", null, 0, List.of(), end == null ? phase.name() : end.getReason(),
          end == null ? "The job is " + phase : end.getMessage());
    }
    if (job.getSpec().suspended()) {
      return new WaitExplanation(key, "Suspended", null, 0, List.of(), "Suspended",
          "spec.suspend is true: resume it with `kubectl gangway resume " + job.getMetadata().getName() + "`.");
    }
    if (phase == JobPhase.Restarting && s.getNextRestartTime() != null) {
      return new WaitExplanation(key, "RestartBackoff", null, 0, List.of(), "Restarting",
          "Attempt " + (s.getAttempt() == null ? 1 : s.getAttempt() + 1) + " starts at " + s.getNextRestartTime() + " (restart backoff).");
    }
    if (placed.filter(c -> "False".equals(c.getStatus()) && GangPlacementStep.UNSCHEDULABLE.equals(c.getReason())).isPresent()) {
      return new WaitExplanation(key, "Unschedulable", null, 0, List.of(), GangPlacementStep.UNSCHEDULABLE,
          sentence(placed.get().getMessage()) + " It will not start on this cluster as asked: make it smaller or relax spec.topology.");
    }
    var blocked = placed.filter(c -> "False".equals(c.getStatus()) && GangPlacementStep.blocked(c.getReason()));
    if (blocked.isPresent()) {
      // Not in the queue and not starting: it waits for something only a person changes (an object to create, a quota), and
      // the message says what.
      return new WaitExplanation(key, "Blocked", null, 0, List.of(), blocked.get().getReason(), sentence(blocked.get().getMessage()));
    }
    List<QueuedGang> queue = new ArrayList<>(WaitingGangs.of(cluster.jobs().stream(), cluster.view(), Set.of(), cluster.now(),
        // Only the queue's order is used here, which no hold-out changes: the platform's own default (in the operator's
        // configuration, which the plugin does not read) would give the same answer.
        PlacementDefaults.STANDARD));
    queue.sort(QueuedGang.ORDER);
    int position = queue.stream().map(QueuedGang::jobKey).toList().indexOf(key);
    if (position < 0) {
      return new WaitExplanation(key, "Starting", null, queue.size(), List.of(), placed.map(Condition::getReason).orElse("Pending"),
          placed.map(Condition::getMessage).orElse("Its ranks are being created, placed or bound; nothing waits in line ahead of it."));
    }
    List<String> ahead = queue.subList(0, position).stream().map(g -> g.jobKey() + " (priority " + g.priority() + ")").toList();
    return new WaitExplanation(key, position == 0 ? "Waiting" : "Queued", position + 1, queue.size(), ahead,
        placed.map(Condition::getReason).orElse("Pending"),
        placed.map(Condition::getMessage).orElse("Not placed yet."));
  }

  /** The short reason for `get`: why a job that is not running waits, or null. */
  static String blockingReason(TrainingJob job) {
    TrainingJobStatus s = job.getStatus();
    if (s == null || s.getPhase() == JobPhase.Running || (s.getPhase() != null && s.getPhase().isFinished())) {
      return null;
    }
    if (job.getSpec().suspended()) {
      return "Suspended";
    }
    return JobConditions.notPlacedReason(s.getConditions()).filter(r -> !r.isEmpty()).orElse(null);
  }

  String text() {
    StringBuilder out = new StringBuilder();
    out.append(job).append(": ").append(state).append(" (").append(reason).append(")\n");
    if (queuePosition != null) {
      out.append("Queue:   position ").append(queuePosition).append(" of ").append(queueLength).append(" waiting gangs")
          .append(queuePosition == 1 ? " (head: the capacity it needs is held for it as it frees)" : "").append('\n');
      for (String a : ahead) {
        out.append("  ahead: ").append(a).append('\n');
      }
    }
    out.append("Why:     ").append(detail).append('\n');
    return out.toString();
  }

  /** The operator's messages are clauses without a final stop; text that follows one needs it. */
  private static String sentence(String message) {
    String m = message == null ? "" : message.strip();
    return m.isEmpty() || m.endsWith(".") || m.endsWith("!") || m.endsWith("?") ? m : m + ".";
  }
}

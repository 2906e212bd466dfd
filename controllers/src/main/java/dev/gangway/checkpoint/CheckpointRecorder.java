package dev.gangway.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.checkin.IntakeAnswer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Makes an accepted checkpoint report durable before it is acknowledged: judges it against the
 * TrainingJob as the API server has it ({@link CheckpointLedger}) and writes it as the job's
 * {@code status.lastCheckpoint} through the status subresource, guarded by the resourceVersion it
 * judged (a concurrent status write makes it read and judge again). Leader only.
 */
public final class CheckpointRecorder {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;

  public CheckpointRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** 200 once stored, 404 for an unknown job, 409 for a stale report, 503 when the API server could not be written. */
  public IntakeAnswer record(CheckpointReport report) {
    try {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        TrainingJob job = client.resources(TrainingJob.class).inNamespace(report.namespace()).withName(report.name()).get();
        if (job == null) {
          return IntakeAnswer.notFound("no TrainingJob " + report.job());
        }
        CheckpointLedger.Verdict verdict = CheckpointLedger.judge(report, job);
        if (verdict instanceof CheckpointLedger.Rejected rejected) {
          return IntakeAnswer.conflict(rejected.reason());
        }
        CheckpointLedger.Accepted accepted = (CheckpointLedger.Accepted) verdict;
        if (patched(job, accepted)) {
          return IntakeAnswer.ok("step " + report.step() + " of attempt " + report.attempt() + " is " + report.job()
              + "'s last checkpoint");
        }
      }
      return IntakeAnswer.unavailable("the status of TrainingJob " + report.job() + " kept changing while the report was recorded");
    } catch (KubernetesClientException e) {
      return IntakeAnswer.apiServerFailure(e.getCode(), "could not record the report on TrainingJob " + report.job() + ": " + e.getMessage());
    }
  }

  /** @return false when the job changed since it was read (409): judge again */
  private boolean patched(TrainingJob job, CheckpointLedger.Accepted accepted) {
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("metadata").put("resourceVersion", job.getMetadata().getResourceVersion());
    patch.putObject("status").set("lastCheckpoint", JSON.valueToTree(accepted.lastCheckpoint()));
    try {
      client.resources(TrainingJob.class).inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName())
          .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }
}

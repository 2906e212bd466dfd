package dev.gangway.signal;

import dev.gangway.checkin.IntakeAnswer;
import dev.gangway.checkpoint.CheckpointReport;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/**
 * Who may send which check-in, decided from what the API server said about the caller (its
 * TokenReview, the pod its token is bound to, a SubjectAccessReview). Pure: the reviews are done by
 * the caller of these methods. Each method returns the refusal, or empty when the check-in may be
 * recorded; a refusal changes nothing.
 *
 * <ul>
 *   <li>A checkpoint report comes from a rank of that very job: the token is bound to a pod that
 *       still exists, in the job's namespace, whose controlling owner is that TrainingJob (name and
 *       uid). The namespace is the tenancy boundary: whoever may create pods there could also run a
 *       rank's code.</li>
 *   <li>A node-health signal can cordon and drain nodes, so it comes only from an identity the
 *       platform granted {@value #NODE_HEALTH_VERB} on {@value #NODE_HEALTH_RESOURCE}.{@value
 *       #NODE_HEALTH_GROUP} (an ordinary ClusterRole; the chart ships one, unbound).</li>
 * </ul>
 */
public final class CheckInAccess {
  public static final String NODE_HEALTH_GROUP = "gangway.dev";
  public static final String NODE_HEALTH_RESOURCE = "nodehealthsignals";
  public static final String NODE_HEALTH_VERB = "create";
  private static final String TRAINING_JOB_KIND = "TrainingJob";
  private static final String TRAINING_JOB_GROUP = "gangway.dev/";

  private CheckInAccess() {
  }

  /** 401 when the request has no bearer token: the cheapest refusal, before any review. */
  public static Optional<IntakeAnswer> tokenPresent(String token) {
    if (token == null) {
      return Optional.of(IntakeAnswer.unauthorized("no bearer token: send 'Authorization: Bearer <token>' with a ServiceAccount token for"
          + " the audience " + IntakeToken.AUDIENCE + " (rank pods have one at $" + IntakeToken.FILE_ENV + ")"));
    }
    return Optional.empty();
  }

  /** @param boundPod the pod the caller's token is bound to, as the API server has it now; null when absent or not bound to a pod */
  public static Optional<IntakeAnswer> checkpoint(Caller caller, Pod boundPod, CheckpointReport report) {
    Optional<IntakeAnswer> unauthenticated = authenticated(caller);
    if (unauthenticated.isPresent()) {
      return unauthenticated;
    }
    String claimed = "TrainingJob " + report.job() + " (uid " + report.uid() + ")";
    if (caller.podName() == null || caller.serviceAccountNamespace() == null) {
      return forbidden(caller, "its token is not bound to a pod: checkpoint reports are accepted only from the rank pods of the job, with"
          + " the token Gangway mounts at " + IntakeToken.FILE);
    }
    String podRef = caller.serviceAccountNamespace() + "/" + caller.podName();
    if (boundPod == null || boundPod.getMetadata() == null) {
      return forbidden(caller, "the pod " + podRef + " its token is bound to no longer exists");
    }
    if (caller.podUid() != null && !caller.podUid().equals(boundPod.getMetadata().getUid())) {
      return forbidden(caller, "the pod " + podRef + " its token is bound to was replaced by another pod of that name");
    }
    if (!report.namespace().equals(boundPod.getMetadata().getNamespace())) {
      return forbidden(caller, "the pod " + podRef + " is not in namespace " + report.namespace() + ", so it may not report for " + claimed);
    }
    OwnerReference owner = controllingJob(boundPod);
    if (owner == null) {
      return forbidden(caller, "the pod " + podRef + " is not a rank of any TrainingJob, so it may not report for " + claimed);
    }
    if (!report.name().equals(owner.getName()) || !report.uid().equals(owner.getUid())) {
      return forbidden(caller, "the pod " + podRef + " is a rank of TrainingJob " + report.namespace() + "/" + owner.getName() + " (uid "
          + owner.getUid() + "), not of " + claimed);
    }
    return Optional.empty();
  }

  /**
   * @param granted whether a SubjectAccessReview allowed the caller {@value #NODE_HEALTH_VERB} on {@value #NODE_HEALTH_RESOURCE}
   * @param reviewReason the review's reason, if it gave one
   */
  public static Optional<IntakeAnswer> nodeHealth(Caller caller, boolean granted, String reviewReason) {
    Optional<IntakeAnswer> unauthenticated = authenticated(caller);
    if (unauthenticated.isPresent()) {
      return unauthenticated;
    }
    if (!granted) {
      return forbidden(caller, "it may not report node health: grant it '" + NODE_HEALTH_VERB + "' on '" + NODE_HEALTH_RESOURCE + "' in API"
          + " group '" + NODE_HEALTH_GROUP + "' (the chart's ClusterRole <release>-node-health-reporter)"
          + (reviewReason == null || reviewReason.isBlank() ? "" : "; the API server said: " + reviewReason));
    }
    return Optional.empty();
  }

  private static Optional<IntakeAnswer> authenticated(Caller caller) {
    if (!caller.authenticated()) {
      return Optional.of(IntakeAnswer.unauthorized("the token was not accepted for the audience " + IntakeToken.AUDIENCE
          + (caller.refusal() == null || caller.refusal().isBlank() ? "" : ": " + caller.refusal())));
    }
    return Optional.empty();
  }

  private static Optional<IntakeAnswer> forbidden(Caller caller, String why) {
    return Optional.of(IntakeAnswer.forbidden(caller.username() + " was refused: " + why));
  }

  private static OwnerReference controllingJob(Pod pod) {
    if (pod.getMetadata().getOwnerReferences() == null) {
      return null;
    }
    return pod.getMetadata().getOwnerReferences().stream()
        .filter(o -> Boolean.TRUE.equals(o.getController()) && TRAINING_JOB_KIND.equals(o.getKind())
            && o.getApiVersion() != null && o.getApiVersion().startsWith(TRAINING_JOB_GROUP))
        .findFirst().orElse(null);
  }
}

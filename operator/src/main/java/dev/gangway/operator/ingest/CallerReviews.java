package dev.gangway.operator.ingest;

import dev.gangway.signal.Caller;
import dev.gangway.signal.CheckInAccess;
import dev.gangway.signal.IntakeToken;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Asks the API server about a check-in's sender: TokenReview (is the token valid for Gangway's
 * audience, whose is it, which pod is it bound to), the pod itself, and SubjectAccessReview (may it
 * report node health). I/O only; {@link CheckInAccess} decides. A failing review throws
 * {@link KubernetesClientException}: the door answers 503 and the sender retries.
 */
@ApplicationScoped
public class CallerReviews {
  private final KubernetesClient client;

  public CallerReviews(KubernetesClient client) {
    this.client = client;
  }

  public Caller review(String token) {
    TokenReview review = client.resource(new TokenReviewBuilder().withNewSpec().withToken(token).withAudiences(IntakeToken.AUDIENCE)
        .endSpec().build()).create();
    var status = review.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
      return Caller.rejected(status == null ? null : status.getError());
    }
    UserInfo user = status.getUser();
    return Caller.user(user.getUsername(), user.getUid(), user.getGroups(), user.getExtra());
  }

  /** The pod the token is bound to, as it is now; null when the token names none or it is gone. */
  public Pod boundPod(Caller caller) {
    if (!caller.authenticated() || caller.podName() == null || caller.serviceAccountNamespace() == null) {
      return null;
    }
    try {
      return client.pods().inNamespace(caller.serviceAccountNamespace()).withName(caller.podName()).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        // A namespace the operator does not watch (the chart grants pods there no read): not one of its jobs' ranks.
        return null;
      }
      throw e;
    }
  }

  /** The SubjectAccessReview's answer for {@link CheckInAccess#NODE_HEALTH_VERB} on the node-health resource. */
  public Verdict mayReportNodeHealth(Caller caller) {
    if (!caller.authenticated()) {
      return new Verdict(false, null);
    }
    SubjectAccessReview review = client.resource(new SubjectAccessReviewBuilder().withNewSpec()
        .withUser(caller.username()).withUid(caller.uid()).withGroups(caller.groups()).withExtra(caller.extra())
        .withNewResourceAttributes().withGroup(CheckInAccess.NODE_HEALTH_GROUP).withResource(CheckInAccess.NODE_HEALTH_RESOURCE)
        .withVerb(CheckInAccess.NODE_HEALTH_VERB).endResourceAttributes().endSpec().build()).create();
    SubjectAccessReviewStatus status = review.getStatus();
    return status == null ? new Verdict(false, null) : new Verdict(Boolean.TRUE.equals(status.getAllowed()), status.getReason());
  }

  public record Verdict(boolean allowed, String reason) {
  }
}

package dev.gangway.decide;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** Turns an exception from a reconcile into a condition a platform engineer can act on. */
public final class ReconcileErrors {
  public static final String CONDITION = "ReconcileError";
  /**
   * An admission plugin (not RBAC) refused an object the job needs: the ReconcileError reason for its Service or hostfile,
   * and the Placed=False reason of a gang a rank pod of which was refused ({@link GangPlacementStep#admissionRefused}).
   */
  public static final String ADMISSION_REFUSED = "AdmissionRefused";

  private ReconcileErrors() {
  }

  /**
   * The condition's reason: Forbidden for RBAC denials, AdmissionRefused for other 403s (an admission plugin judged the
   * object: an exceeded quota, a PriorityClass or ServiceAccount that does not exist), ApiError for other API failures,
   * InternalError otherwise.
   */
  public static String reason(Exception e) {
    KubernetesClientException api = apiError(e);
    if (api == null) {
      return "InternalError";
    }
    if (api.getCode() == 403) {
      return rbacDenial(api) ? "Forbidden" : ADMISSION_REFUSED;
    }
    return "ApiError";
  }

  public static String message(Exception e) {
    KubernetesClientException api = apiError(e);
    if (api != null && api.getCode() == 403) {
      String detail = api.getStatus() != null && api.getStatus().getMessage() != null ? api.getStatus().getMessage() : api.getMessage();
      if (!rbacDenial(api)) {
        return "The API server refused an object this job needs: " + detail
            + ". Fix what it names (for example create the PriorityClass or ServiceAccount, or raise the quota) — Gangway keeps"
            + " retrying with backoff, so the job starts once it is fixed.";
      }
      return "The operator is not allowed to do what this job needs: " + detail
          + ". Grant the verb to the operator's ServiceAccount (the Helm chart's ClusterRole/Role has every rule it needs; "
          + "check for local edits) — Gangway keeps retrying with backoff.";
    }
    if (api != null) {
      return "The API server refused a request (HTTP " + api.getCode() + "): " + api.getMessage() + ". Gangway keeps retrying with backoff.";
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage() + ". Gangway keeps retrying with backoff; see the operator log.";
  }

  /**
   * Whether the API server answered that the named object itself does not exist (404 naming it), as when a job was
   * deleted while a reconcile decided on it; not a 404 for a missing API or subresource, which names no object.
   */
  public static boolean objectGone(KubernetesClientException e, String name) {
    return e.getCode() == 404 && e.getStatus() != null && e.getStatus().getDetails() != null
        && name.equals(e.getStatus().getDetails().getName());
  }

  /** RBAC says {@code User "x" cannot create resource "pods" ...}; an admission plugin's 403 names the object's problem. */
  public static boolean rbacDenial(KubernetesClientException api) {
    String message = api.getStatus() != null && api.getStatus().getMessage() != null ? api.getStatus().getMessage() : api.getMessage();
    return message != null && RBAC_DENIAL.matcher(message).find();
  }

  private static final java.util.regex.Pattern RBAC_DENIAL = java.util.regex.Pattern.compile("cannot [a-z]+ resource \"");

  private static KubernetesClientException apiError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        return k;
      }
    }
    return null;
  }
}

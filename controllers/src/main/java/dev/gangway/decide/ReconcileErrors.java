package dev.gangway.decide;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** Turns an exception from a reconcile into a condition a platform engineer can act on. */
public final class ReconcileErrors {
  public static final String CONDITION = "ReconcileError";

  private ReconcileErrors() {
  }

  /** The condition's reason: Forbidden for RBAC denials, ApiError for other API failures, InternalError otherwise. */
  public static String reason(Exception e) {
    KubernetesClientException api = apiError(e);
    if (api == null) {
      return "InternalError";
    }
    return api.getCode() == 403 ? "Forbidden" : "ApiError";
  }

  public static String message(Exception e) {
    KubernetesClientException api = apiError(e);
    if (api != null && api.getCode() == 403) {
      String detail = api.getStatus() != null && api.getStatus().getMessage() != null ? api.getStatus().getMessage() : api.getMessage();
      return "The operator is not allowed to do what this job needs: " + detail
          + ". Grant the verb to the operator's ServiceAccount (the Helm chart's ClusterRole/Role has every rule it needs; "
          + "check for local edits) — Gangway keeps retrying with backoff.";
    }
    if (api != null) {
      return "The API server refused a request (HTTP " + api.getCode() + "): " + api.getMessage() + ". Gangway keeps retrying with backoff.";
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage() + ". Gangway keeps retrying with backoff; see the operator log.";
  }

  private static KubernetesClientException apiError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        return k;
      }
    }
    return null;
  }
}

package dev.gangway.e2e;

/** TrainingJob manifests as a user writes them, for the e2e tests. */
public final class Manifests {

  private Manifests() {
  }

  /**
   * A busybox gang; KWOK runs it on the simulated GPU nodes.
   *
   * @param extraSpec further spec fields, each line indented two spaces and ending in a newline
   */
  static String trainingJob(String name, int replicas, int gpus, String extraSpec) {
    return trainingJob(name, replicas, gpus, extraSpec, "");
  }

  /**
   * As above, with further fields of the pod template's spec.
   *
   * @param extraPodSpec lines of template.spec, each indented six spaces and ending in a newline
   */
  public static String trainingJob(String name, int replicas, int gpus, String extraSpec, String extraPodSpec) {
    return withPodSpec(name, replicas, gpus, extraSpec, extraPodSpec + """
              containers:
              - name: trainer
                image: busybox
        """);
  }

  /**
   * A job whose template's spec is given whole.
   *
   * @param podSpec the lines of template.spec, each indented six spaces and ending in a newline
   */
  public static String withPodSpec(String name, int replicas, int gpus, String extraSpec, String podSpec) {
    return """
        apiVersion: gangway.dev/v1alpha1
        kind: TrainingJob
        metadata:
          name: %s
        spec:
          replicas: %d
          gpusPerReplica: %d
          framework: pytorch
        %s  template:
            spec:
        %s""".formatted(name, replicas, gpus, extraSpec, podSpec);
  }

  /** spec.failurePolicy with the given first line (e.g. "maxRestarts: 3") and a short backoff, for fast restarts. */
  static String failurePolicy(String policy, int backoffSeconds) {
    return "  failurePolicy:\n    " + policy + "\n    backoff:\n      initialSeconds: " + backoffSeconds + "\n";
  }

  /**
   * A ValidatingAdmissionPolicy and its binding, both named {@code name}, refusing every Service created in {@code namespace}
   * with {@code message}; {@code reason} "Forbidden" makes the denial a 403, null keeps the default 422 (Invalid).
   */
  static String servicesRefused(String name, String namespace, String message, String reason) {
    return """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: %1$s}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["services"]}
          validations:
          - {expression: "false", message: "%3$s"%4$s}
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: %1$s}
        spec:
          policyName: %1$s
          validationActions: [Deny]
          matchResources:
            namespaceSelector:
              matchLabels: {kubernetes.io/metadata.name: %2$s}
        """.formatted(name, namespace, message, reason == null ? "" : ", reason: " + reason);
  }
}

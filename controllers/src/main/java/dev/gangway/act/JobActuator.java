package dev.gangway.act;

import dev.gangway.decide.GangActions;
import dev.gangway.decide.PinnedRank;
import dev.gangway.decide.ReconcileErrors;
import dev.gangway.placement.SnapshotFactory;
import dev.gangway.pod.JobNames;
import dev.gangway.quota.QuotaRefusal;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.api.v1alpha1.TrainingJobStatus;
import dev.gangway.rendezvous.Hostfiles;
import dev.gangway.rendezvous.LauncherSsh;
import dev.gangway.rendezvous.SshKeyPair;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a decision that is already persisted in the job's status. Every write is idempotent
 * (create-if-absent, patch to a fixed value, delete), so doing it twice — after a crash, on a retry —
 * converges to the same cluster.
 */
public final class JobActuator {
  private static final Logger LOG = LoggerFactory.getLogger(JobActuator.class);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private static final PatchContext JSON_PATCH = PatchContext.of(PatchType.JSON);

  private final Teardowns teardowns = new Teardowns();
  private final OwnWrites own;

  /** @param own the pod writes made here that the cache does not show yet: not repeated */
  public JobActuator(OwnWrites own) {
    this.own = own;
  }

  /**
   * The API server refused a rank pod as invalid (HTTP 422), or its pod policy (Pod Security Admission,
   * a ValidatingAdmissionPolicy on pods) refused the pod's spec (HTTP 403): the spec, not the cluster, is
   * wrong, and retrying the same pod cannot help.
   */
  public static final class PodRejected extends RuntimeException {
    public PodRejected(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The quota admission refused a rank pod (HTTP 403, "exceeded quota") that Gangway's own check expected it to admit:
   * the gang must not stay half created ({@link dev.gangway.quota.QuotaRefusals}).
   */
  public static final class QuotaRefused extends RuntimeException {
    private final transient QuotaRefusal refusal;

    public QuotaRefused(String pod, QuotaRefusal refusal, Throwable cause) {
      super("ResourceQuota '" + refusal.quota() + "' refused rank pod " + pod + ": " + refusal.message(), cause);
      this.refusal = refusal;
    }

    public QuotaRefusal refusal() {
      return refusal;
    }
  }

  /**
   * An admission plugin refused a rank pod (HTTP 403, not RBAC, not a quota, not a pod policy judging the spec): a webhook's
   * denial, a ServiceAccount that does not exist; or refused the Service, hostfile or ssh Secret a starting gang needs (a
   * policy on Services, say). Usually fixed without touching the job, so the gang waits and tries again, holding nothing.
   */
  public static final class AdmissionRefused extends RuntimeException {
    private final String object;
    private final String serverMessage;

    /** @param object what was refused, as a condition names it: "a rank pod", "the job's Service" */
    public AdmissionRefused(String object, String name, String serverMessage, Throwable cause) {
      super("The API server refused " + object + " (" + name + "): " + serverMessage, cause);
      this.object = object;
      this.serverMessage = serverMessage;
    }

    public String object() {
      return object;
    }

    /** The API server's own words. */
    public String serverMessage() {
      return serverMessage;
    }
  }

  /**
   * Makes the job's own objects follow the decision: the Service and hostfile as the spec and attempt
   * say, an MPI job's ssh Secret before its first ranks, the missing ranks created, the pods that must go deleted.
   *
   * @param status the persisted status the pods follow
   * @param time when the decision was made: the released-at time of ranks created ungated
   * @param service the job's Service as cached, if any
   * @param hostfile the job's MPI hostfile ConfigMap as cached, if any
   * @throws PodRejected when the API server refuses a rank pod as invalid
   * @throws QuotaRefused when a namespace's ResourceQuota refuses a rank pod
   * @throws AdmissionRefused when another admission plugin refuses a rank pod
   */
  public void apply(KubernetesClient client, TrainingJob job, TrainingJobStatus status, java.time.Instant time, GangActions actions,
             List<Pod> jobPods, int attempt, Optional<Service> service, Optional<ConfigMap> hostfile) {
    // Refused while the gang starts, they are waited for like a refused rank pod; refused later (a running gang's Service
    // deleted, say), the error is retried and reported as it came.
    boolean starting = !actions.ranksToCreate().isEmpty();
    if (actions.ensureSharedObjects()) {
      Service desired = GangServiceBuilder.headlessService(job, attempt);
      needed(starting, "the job's Service", desired, () -> converge(client, desired, service,
          s -> Map.of("spec", Map.of("selector", s.getSpec().getSelector())), s -> s.getSpec().getSelector()));
      if (Hostfiles.needed(job)) {
        ConfigMap hostfileWanted = GangServiceBuilder.mpiHostfile(job);
        needed(starting, "the job's MPI hostfile ConfigMap", hostfileWanted,
            () -> converge(client, hostfileWanted, hostfile, c -> Map.of("data", c.getData()), ConfigMap::getData));
      }
    }
    if (LauncherSsh.generated(job) && starting) {
      // Before any pod that mounts it. Created once: a later create (a retry after a crash, the next attempt) gets 409
      // and the key already there stays, so running ranks and new ones always share one key.
      var secret = GangServiceBuilder.sshSecret(job, SshKeyPair.generate(), SshKeyPair.generate());
      needed(true, "the job's ssh Secret", secret, () -> createIfAbsent(client, secret));
    }
    String resumeFrom = status.getLastCheckpoint() == null ? null : status.getLastCheckpoint().getPath();
    String namespace = job.getMetadata().getNamespace();
    List<PinnedRank> create = actions.ranksToCreate().stream()
        .filter(rank -> !own.creating(namespace + "/" + JobNames.podName(job.getMetadata().getName(), rank.rank(), attempt))).toList();
    ParallelWrites.forEach(create, rank -> createRank(client,
        GangPodWriter.pinned(RankPodBuilder.build(job, rank.rank(), attempt, resumeFrom), rank, time)));
    // Not filtered by what was deleted already: an attempt stays whole (deleted in the background), and each delete claims
    // its pod first, so a teardown still under way and this reconcile never both send one.
    PodDeletions deletions = PodDeletions.of(actions.podsToDelete(), jobPods);
    String jobKey = namespace + "/" + job.getMetadata().getName();
    deletions.attempts().forEach((attemptNumber, ofAttempt) -> teardowns.start(jobKey + "/" + attemptNumber,
        () -> ParallelWrites.forEach(ofAttempt, pod -> delete(client, pod))));
    ParallelWrites.forEach(deletions.pods().stream().filter(p -> !own.deleting(p)).toList(), pod -> delete(client, pod));
    ParallelWrites.forEach(actions.podsToForceDelete().stream().filter(p -> !own.forceDeleting(p)).toList(), pod -> forceDelete(client, pod));
  }

  /** Deletes the pod (gracefully) unless this replica already did; the API server's answer to a pod gone is no error. */
  void delete(KubernetesClient client, Pod pod) {
    if (!own.claimDelete(pod)) {
      return;
    }
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
    } catch (RuntimeException e) {
      own.writeFailed(pod);
      throw e;
    }
  }

  /**
   * Creates the object, or patches the part Gangway owns when the cached copy differs: a resize while
   * suspended changes the hostfile, a new attempt changes which pods the Service's names resolve to, a job applied again
   * under a deleted one's name takes over its Service.
   */
  private static <T extends HasMetadata> void converge(KubernetesClient client, T desired, Optional<T> cached,
                                                       java.util.function.Function<T, Map<String, Object>> ownedPart,
                                                       java.util.function.Function<T, Object> compared) {
    if (cached.isEmpty()) {
      createIfAbsent(client, desired);
      return;
    }
    // Left by a deleted job of the same name that the garbage collector has not removed yet: adopted, or the collector
    // would delete it from under this job (its ranks' names would stop resolving until it was created again).
    if (ownedByAnotherJob(cached.get(), desired)) {
      client.resource(desired).patch(JSON_PATCH, SERIALIZATION.asJson(List.of(Map.of("op", "add", "path", "/metadata/ownerReferences",
          "value", desired.getMetadata().getOwnerReferences()))));
    }
    if (!java.util.Objects.equals(compared.apply(desired), compared.apply(cached.get()))) {
      client.resource(desired).patch(MERGE, SERIALIZATION.asJson(ownedPart.apply(desired)));
    }
  }

  /** Owned by a TrainingJob of another uid (not by a person, whose object of that name Gangway uses but does not take). */
  private static boolean ownedByAnotherJob(HasMetadata cached, HasMetadata desired) {
    Set<String> mine = uids(desired);
    return cached.getMetadata().getOwnerReferences() != null && cached.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> "TrainingJob".equals(o.getKind()) && !mine.contains(o.getUid()));
  }

  private static Set<String> uids(HasMetadata object) {
    return object.getMetadata().getOwnerReferences() == null ? Set.of() : object.getMetadata().getOwnerReferences().stream()
        .map(io.fabric8.kubernetes.api.model.OwnerReference::getUid).collect(java.util.stream.Collectors.toSet());
  }

  /** Writes an object the gang needs; one an admission plugin refuses while the gang starts is an {@link AdmissionRefused}. */
  private static void needed(boolean starting, String object, HasMetadata desired, Runnable write) {
    try {
      write.run();
    } catch (KubernetesClientException e) {
      if (starting && refusedByAdmission(e)) {
        throw new AdmissionRefused(object, desired.getMetadata().getName(), detail(e), e);
      }
      throw e;
    }
  }

  /**
   * Refused by an admission plugin rather than the operator's rights or the server's health: a 403 that is no RBAC denial,
   * or a 422 a ValidatingAdmissionPolicy or a webhook gave (their denials default to 422; Gangway builds these objects
   * valid).
   */
  static boolean refusedByAdmission(KubernetesClientException e) {
    String detail = detail(e);
    return (e.getCode() == 403 && !ReconcileErrors.rbacDenial(e))
        || (e.getCode() == 422 && (detail.contains("ValidatingAdmissionPolicy") || detail.contains("admission webhook")));
  }

  private static String detail(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : String.valueOf(e.getMessage());
  }

  private void createRank(KubernetesClient client, Pod pod) {
    // Claimed before the write; kept when it answers 409 (created earlier under this name): the cache is about to show it.
    String key = SnapshotFactory.podKey(pod);
    if (!own.claimCreate(key)) {
      return;
    }
    try {
      createIfAbsent(client, pod);
    } catch (KubernetesClientException e) {
      own.createFailed(key);
      throw refusal(pod.getMetadata().getName(), e);
    } catch (RuntimeException e) {
      own.createFailed(key);
      throw e;
    }
  }

  /**
   * What a refused create of a rank pod means: the spec is wrong ({@link PodRejected}), a quota refused it ({@link
   * QuotaRefused}), another admission plugin did ({@link AdmissionRefused}); anything else (RBAC, API errors) as it came.
   */
  static RuntimeException refusal(String pod, KubernetesClientException e) {
    String detail = detail(e);
    if (e.getCode() == 422 || refusedByPodPolicy(e)) {
      return new PodRejected("The API server refused rank pod " + pod + ": " + detail + ". Fix spec.template and apply the job again.", e);
    }
    if (e.getCode() != 403 || ReconcileErrors.rbacDenial(e)) {
      return e;
    }
    Optional<QuotaRefusal> quota = QuotaRefusal.of(detail);
    return quota.isPresent() ? new QuotaRefused(pod, quota.get(), e) : new AdmissionRefused("a rank pod", pod, detail, e);
  }

  /**
   * A 403 that judged the pod's spec, not the operator's rights: Pod Security Admission ("violates
   * PodSecurity") or a ValidatingAdmissionPolicy. An RBAC denial or an exceeded quota stays a retried
   * error, since a person fixes those without touching the job.
   */
  static boolean refusedByPodPolicy(KubernetesClientException e) {
    String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : String.valueOf(e.getMessage());
    return e.getCode() == 403 && (message.contains("violates PodSecurity") || message.contains("ValidatingAdmissionPolicy"));
  }

  /** Without a grace period: for a pod on a node that no longer exists, whose kubelet will never confirm a graceful end. */
  private void forceDelete(KubernetesClient client, Pod pod) {
    if (!own.claimForceDelete(pod)) {
      return;
    }
    LOG.info("Force-deleting pod {}/{}: its node {} no longer exists", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
        pod.getSpec().getNodeName());
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).withGracePeriod(0).delete();
    } catch (RuntimeException e) {
      own.writeFailed(pod);
      throw e;
    }
  }

  /** Creation is idempotent: after an operator restart or a stale cache the object may exist already. */
  static void createIfAbsent(KubernetesClient client, HasMetadata object) {
    try {
      client.resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        LOG.debug("{} {} exists already", object.getKind(), object.getMetadata().getName());
      } else if (e.getCode() == 403 && String.valueOf(e.getMessage()).contains("being terminated")) {
        // The namespace is being deleted, and the job with it: nothing to start.
        LOG.debug("not creating {} {}: its namespace is terminating", object.getKind(), object.getMetadata().getName());
      } else {
        throw e;
      }
    }
  }
}

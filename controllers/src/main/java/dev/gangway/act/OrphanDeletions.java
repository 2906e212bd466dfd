package dev.gangway.act;

import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.decide.OrphanedRanks.Owner;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deletes the rank pods of a job that is gone ({@link dev.gangway.decide.OrphanedRanks}), after asking the API server that
 * it is: the decision was made on the job cache. Each pod goes only as the cache saw it (its resourceVersion as the
 * delete's precondition), so a pod of the same name that a new job of the same name created meanwhile is never taken; a
 * pod changed since is left to the next sweep, which sees it again if it is still there.
 */
public final class OrphanDeletions {

  /**
   * What came of one owner's pods.
   *
   * @param jobExists the API server still has the job, with this uid: the cache was behind, nothing was deleted
   * @param deleted the pods this call deleted (the others were gone already, or changed: the next sweep looks again)
   */
  public record Result(boolean jobExists, int deleted) {
  }

  public Result delete(KubernetesClient client, Owner owner, List<Pod> pods) {
    TrainingJob job = client.resources(TrainingJob.class).inNamespace(owner.namespace()).withName(owner.job()).get();
    if (job != null && owner.uid().equals(job.getMetadata().getUid())) {
      return new Result(true, 0);
    }
    AtomicInteger deleted = new AtomicInteger();
    ParallelWrites.forEach(pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList(), pod -> {
      try {
        if (!client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod)
            .lockResourceVersion(pod.getMetadata().getResourceVersion()).delete().isEmpty()) {
          deleted.incrementAndGet();
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
      }
    });
    return new Result(false, deleted.get());
  }
}

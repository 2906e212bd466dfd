package dev.gangway.e2e.chaos;

import java.util.List;
import java.util.Set;

/**
 * How many rank pods of deleted jobs the operator replicas deleted themselves, from the audit log: Gangway's sweep steps
 * in where the garbage collector has not deleted them 20 s after their job (as after a kube-apiserver restart), so a run
 * with API server restarts may show some; each is a pod the DELETED_JOB_POD_LEFT invariant would otherwise have caught.
 */
final class OrphanDeletes {
  private OrphanDeletes() {
  }

  /** Successful pod deletes by {@code users} in the jobs' namespace, of a deleted job's rank pod, after the job's delete. */
  static int count(List<AuditEvent> audit, Set<String> users, List<DeletedJob> deleted) {
    int n = 0;
    for (AuditEvent e : audit) {
      if (!"delete".equals(e.verb()) || !"pods".equals(e.resource()) || e.subresource() != null || !e.succeeded()
          || !users.contains(e.user()) || e.name() == null) {
        continue;
      }
      boolean orphan = deleted.stream().anyMatch(d -> d.namespace().equals(e.namespace()) && e.name().startsWith(d.name() + "-r")
          && e.received().isAfter(d.deletedAt()));
      n += orphan ? 1 : 0;
    }
    return n;
  }
}

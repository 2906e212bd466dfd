package dev.gangway.act;

import dev.gangway.decide.GangPlacementStep;
import dev.gangway.placement.SnapshotFactory;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Pod writes this replica made that its informer cache does not show yet (what Kubernetes' own controllers call
 * expectations). A reconcile starts as soon as the first event of its previous writes arrives, when the cache shows
 * only part of them: without this it creates again the ranks it just created (answered 409), deletes again the pods
 * it just deleted (404, or a second delete of a pod already going) and patches again the ranks it just released. On
 * a 1,024-rank restart that was ~3,000 repeated writes (hyperscale run of 2026-12-02).
 *
 * <p>A write is expected until the cache shows its effect (the created pod, the released pod without the gate, the
 * deleted pod terminating or gone), or until {@link #DEFAULT_PATIENCE} passes: a watch that missed an event must not
 * keep a pod from being written again for ever. Forgetting one only costs a repeat, which the API server answers as
 * before (every write is idempotent). Per replica and in memory: a new leader starts with none.
 */
public final class OwnWrites {
  /** How long a write waits for the cache to show it before it may be repeated. */
  public static final Duration DEFAULT_PATIENCE = Duration.ofSeconds(30);

  private enum Kind { CREATED, RELEASED, DELETED, FORCE_DELETED }

  /** One write awaiting its echo: the pod's uid (null for a create, keyed by name) and when it may be repeated. */
  private record Expected(String uid, Instant until) {
  }

  private final Clock clock;
  private final Duration patience;
  /** The pod under a key ("namespace/name") as the informer cache holds it now, or null. */
  private final Function<String, Pod> cached;
  private final Map<Kind, Map<String, Expected>> byKind = Map.of(Kind.CREATED, new ConcurrentHashMap<>(),
      Kind.RELEASED, new ConcurrentHashMap<>(), Kind.DELETED, new ConcurrentHashMap<>(), Kind.FORCE_DELETED, new ConcurrentHashMap<>());

  /**
   * @param cached the pod under a key as the informer cache holds it now: a claim is refused when the cache already shows
   *     the write's effect, since the reconcile that asks decided on an older read of it
   */
  public OwnWrites(Clock clock, Duration patience, Function<String, Pod> cached) {
    this.clock = clock;
    this.patience = patience;
    this.cached = cached;
  }

  /**
   * Claims the create of the pod named {@code podKey} ("namespace/name"): false when this replica created it already and
   * the cache does not show it yet. A claim is taken before the write, so two writers racing (a background teardown and
   * a reconcile) never both send it; {@link #createFailed} gives it back when the write fails.
   */
  boolean claimCreate(String podKey) {
    return claim(Kind.CREATED, podKey, null) && stillToDo(Kind.CREATED, podKey, cached.apply(podKey) == null);
  }

  /** Claims the release (gate lifted) of the gated pod: false when this replica released it already. */
  boolean claimRelease(Pod pod) {
    return claim(Kind.RELEASED, SnapshotFactory.podKey(pod), pod.getMetadata().getUid());
  }

  /** Claims the (graceful) delete of the pod: false when this replica deleted it already. */
  boolean claimDelete(Pod pod) {
    String key = SnapshotFactory.podKey(pod);
    if (!claim(Kind.DELETED, key, pod.getMetadata().getUid())) {
      return false;
    }
    Pod now = cached.apply(key);
    return stillToDo(Kind.DELETED, key, now != null && now.getMetadata().getUid().equals(pod.getMetadata().getUid())
        && now.getMetadata().getDeletionTimestamp() == null);
  }

  /** Claims the delete without a grace period of a pod terminating on a node that is gone. */
  boolean claimForceDelete(Pod pod) {
    return claim(Kind.FORCE_DELETED, SnapshotFactory.podKey(pod), pod.getMetadata().getUid());
  }

  /** A claimed create failed: it may be sent again. */
  void createFailed(String podKey) {
    byKind.get(Kind.CREATED).remove(podKey);
  }

  /** A claimed release, delete or force delete of the pod failed: it may be sent again. */
  void writeFailed(Pod pod) {
    String key = SnapshotFactory.podKey(pod);
    byKind.get(Kind.RELEASED).remove(key);
    byKind.get(Kind.DELETED).remove(key);
    byKind.get(Kind.FORCE_DELETED).remove(key);
  }

  /** Whether a pod under this key was created here and the cache does not show it yet. */
  boolean creating(String podKey) {
    return pending(Kind.CREATED, podKey, null);
  }

  /** Whether this very pod was released here and the cache still shows it gated. */
  boolean releasing(Pod pod) {
    return pending(Kind.RELEASED, SnapshotFactory.podKey(pod), pod.getMetadata().getUid());
  }

  /** Whether this very pod was deleted here and the cache still shows it live. */
  boolean deleting(Pod pod) {
    return pending(Kind.DELETED, SnapshotFactory.podKey(pod), pod.getMetadata().getUid());
  }

  /** Whether this very pod was force-deleted here and the cache still has it. */
  boolean forceDeleting(Pod pod) {
    return pending(Kind.FORCE_DELETED, SnapshotFactory.podKey(pod), pod.getMetadata().getUid());
  }

  /** The cache shows the pod as it is now: the writes it reflects are no longer awaited. */
  public void seen(Pod pod) {
    String key = SnapshotFactory.podKey(pod);
    byKind.get(Kind.CREATED).remove(key);
    if (pod.getSpec() == null || !GangPlacementStep.gated(pod)) {
      byKind.get(Kind.RELEASED).remove(key);
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      byKind.get(Kind.DELETED).remove(key);
    }
  }

  /** The cache no longer has the pod. */
  public void gone(Pod pod) {
    String key = SnapshotFactory.podKey(pod);
    byKind.values().forEach(m -> m.remove(key));
  }

  /** Writes still awaited, of every kind (read by tests). */
  public int awaited() {
    Instant now = clock.instant();
    return byKind.values().stream().mapToInt(m -> (int) m.values().stream().filter(e -> now.isBefore(e.until())).count()).sum();
  }

  /**
   * After a claim: whether the write is still to do by the cache as it is now. The claim is checked first because the
   * cache takes a pod before {@link #seen} clears its claim, so between the two one of them always shows the write; a
   * reconcile's own read of the cache is older and may not (at 2,000 ranks, ~300 creates answered 409 per restart).
   */
  private boolean stillToDo(Kind kind, String key, boolean toDo) {
    if (!toDo) {
      byKind.get(kind).remove(key);
    }
    return toDo;
  }

  /** Atomically: nothing pending for this pod, so it is now and the claim is taken (true); or it was pending (false). */
  private boolean claim(Kind kind, String key, String uid) {
    Instant now = clock.instant();
    boolean[] taken = {false};
    byKind.get(kind).compute(key, (k, e) -> {
      if (e != null && now.isBefore(e.until()) && (e.uid() == null || uid == null || e.uid().equals(uid))) {
        return e;
      }
      taken[0] = true;
      return new Expected(uid, now.plus(patience));
    });
    return taken[0];
  }

  private boolean pending(Kind kind, String key, String uid) {
    Map<String, Expected> expected = byKind.get(kind);
    Expected e = expected.get(key);
    if (e == null) {
      return false;
    }
    if (!clock.instant().isBefore(e.until())) {
      expected.remove(key, e);
      return false;
    }
    // Another pod under the same name (created again since) is not the one written.
    return e.uid() == null || uid == null || e.uid().equals(uid);
  }
}

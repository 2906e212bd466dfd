package dev.gangway.e2e.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * When each pod of a namespace was first seen created, bound to a node, started (Running, or already
 * past it), deleting and gone, stamped as the watch event arrives (a Fabric8 informer), not found by
 * polling. The benchmarks time a transition as the arrival of the event that completed it.
 */
public final class PodTimeline implements AutoCloseable {
  /** Not seen yet. */
  public static final long NEVER = Long.MIN_VALUE;

  /** What is known of one pod; times are {@link System#nanoTime()} at the event's arrival, or {@link #NEVER}. */
  public record Marks(String name, Map<String, String> labels, String node, long created, long bound, long started, long deleting,
                      long gone) {
    public boolean hasStarted() {
      return started != NEVER;
    }

    public boolean live() {
      return gone == NEVER;
    }

    public String label(String key) {
      return labels.getOrDefault(key, "");
    }
  }

  /** Selects the ranks of one attempt of a TrainingJob by the labels Gangway puts on them. */
  public static Predicate<Marks> ranksOf(String job, int attempt) {
    String a = Integer.toString(attempt);
    return m -> m.label("gangway.dev/job-name").equals(job) && m.label("gangway.dev/attempt").equals(a);
  }

  private final Map<String, Marks> pods = new HashMap<>();
  private final SharedIndexInformer<Pod> informer;

  PodTimeline() {
    this.informer = null;
  }

  private PodTimeline(KubernetesClient client, String namespace) {
    // No resync: every handler call is a real change the API server sent.
    this.informer = client.pods().inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        observe(pod, System.nanoTime());
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        observe(pod, System.nanoTime());
      }

      @Override
      public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
        gone(pod.getMetadata().getName(), System.nanoTime());
      }
    }, 0);
  }

  /** Starts watching the namespace's pods; returns once the informer has listed what exists. */
  public static PodTimeline watch(KubernetesClient client, String namespace) {
    return new PodTimeline(client, namespace);
  }

  synchronized void observe(Pod pod, long now) {
    String name = pod.getMetadata().getName();
    Marks was = pods.get(name);
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    // A pod first seen Succeeded or Failed (an Indexed Job's, which KWOK completes at once) has started too.
    boolean started = "Running".equals(phase) || "Succeeded".equals(phase) || "Failed".equals(phase);
    boolean bound = node != null && !node.isEmpty();
    boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
    Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : Map.copyOf(pod.getMetadata().getLabels());
    pods.put(name, new Marks(name, labels, bound ? node : was == null ? null : was.node(),
        was == null ? now : was.created(),
        first(was == null ? NEVER : was.bound(), bound, now),
        first(was == null ? NEVER : was.started(), started, now),
        first(was == null ? NEVER : was.deleting(), deleting, now),
        NEVER));
    notifyAll();
  }

  synchronized void gone(String name, long now) {
    Marks was = pods.get(name);
    if (was != null && was.gone() == NEVER) {
      pods.put(name, new Marks(name, was.labels(), was.node(), was.created(), was.bound(), was.started(),
          was.deleting() == NEVER ? now : was.deleting(), now));
    }
    notifyAll();
  }

  private static long first(long was, boolean now, long time) {
    return was != NEVER ? was : now ? time : NEVER;
  }

  /** The pods seen so far (gone ones included) that the selector accepts. */
  public synchronized List<Marks> pods(Predicate<Marks> selector) {
    return pods.values().stream().filter(selector).toList();
  }

  /**
   * Waits until {@code count} pods the selector accepts have started.
   *
   * @return the nanoTime of the event that made the count-th one start
   * @throws AssertionError after the timeout, saying how many had
   */
  public long awaitStarted(Predicate<Marks> selector, int count, Duration timeout) {
    return awaitAll(selector.and(Marks::hasStarted), count, timeout, "started", Marks::started);
  }

  /**
   * Waits until every rank of one attempt of the job has started, whichever attempt that is: a gang the
   * operator restarts while it starts (a node lost meanwhile) is timed to its first attempt that runs whole.
   *
   * @return the nanoTime of the event that made that attempt's last rank start
   */
  public long awaitGangStarted(String job, int ranks, Duration timeout) {
    return await(timeout, () -> {
      Map<String, List<Long>> startsByAttempt = new HashMap<>();
      pods.values().stream().filter(m -> m.label("gangway.dev/job-name").equals(job) && m.hasStarted())
          .forEach(m -> startsByAttempt.computeIfAbsent(m.label("gangway.dev/attempt"), a -> new ArrayList<>()).add(m.started()));
      return startsByAttempt.values().stream().filter(starts -> starts.size() >= ranks)
          .mapToLong(starts -> starts.stream().mapToLong(Long::longValue).sorted().skip(ranks - 1L).findFirst().orElseThrow())
          .min().orElseThrow(() -> new NotYet("no attempt of " + job + " has all " + ranks + " ranks started within "
              + timeout.toSeconds() + " s"));
    });
  }

  /** Waits until no pod the selector accepts is live any more; returns the nanoTime the last one went. */
  public long awaitGone(Predicate<Marks> selector, Duration timeout) {
    return await(timeout, () -> {
      List<Marks> live = pods.values().stream().filter(selector).filter(Marks::live).toList();
      if (!live.isEmpty()) {
        throw new NotYet(live.size() + " pods still live, e.g. " + live.get(0).name());
      }
      return pods.values().stream().filter(selector).mapToLong(Marks::gone).max().orElse(System.nanoTime());
    });
  }

  private long awaitAll(Predicate<Marks> done, int count, Duration timeout, String what, java.util.function.ToLongFunction<Marks> at) {
    return await(timeout, () -> {
      List<Marks> matching = pods.values().stream().filter(done).toList();
      if (matching.size() < count) {
        throw new NotYet("only " + matching.size() + " of " + count + " pods " + what + " within " + timeout.toSeconds() + " s");
      }
      return matching.stream().mapToLong(at).sorted().skip(count - 1L).findFirst().orElseThrow();
    });
  }

  /** Thrown by a check that is not met yet, with what to say if it never is. */
  private static final class NotYet extends RuntimeException {
    NotYet(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Runs the check on every change the watch brings until it is met. A burst of events is counted once
   * (a 50 ms pause between checks): the time returned is the one stamped by the event, so the pause
   * delays only the return, never the figure.
   */
  private long await(Duration timeout, java.util.function.LongSupplier check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String missing;
      synchronized (this) {
        try {
          return check.getAsLong();
        } catch (NotYet e) {
          missing = e.getMessage();
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(missing);
        }
        try {
          wait(Math.max(1, Math.min(left / 1_000_000, 1000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Forgets the pods the selector accepts that are gone, so a long run does not keep every pod it ever saw. */
  public synchronized void forgetGone(Predicate<Marks> selector) {
    pods.values().removeIf(m -> !m.live() && selector.test(m));
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}

package dev.gangway.health;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes currently known to be fatally unhealthy. Written by the node-health channel, read by
 * placement (new gangs avoid these nodes) and by the job reconciler (gangs running on them restart
 * elsewhere before the hardware takes them down). Thread-safe; time is passed in.
 *
 * <p>A Fatal mark lasts until a Cleared signal, {@link #clear}, or {@code fatalTtl} after the
 * signal's time: a health agent that died must not keep a node out forever.
 */
public final class NodeHealthRegistry {
  /** Taint Gangway puts on a node it marked unhealthy, when the platform allows it to taint. */
  public static final String TAINT_KEY = "gangway.dev/unhealthy";
  /** On a node Gangway cordoned; its value is the reason. Gangway uncordons only a node carrying it. */
  public static final String CORDONED_BY_GANGWAY = "gangway.dev/cordoned";

  private static final Logger LOG = LoggerFactory.getLogger(NodeHealthRegistry.class);

  /** What recording a signal changed. */
  public enum Outcome {
    /** The node was healthy and is now fatal; listeners were told. */
    MarkedFatal,
    /** The node was fatal already; its mark now lasts from this signal. */
    StillFatal,
    /** A fatal mark was removed; listeners were told. */
    Cleared,
    /** Nothing changed: a warning, a clear for a healthy node, or a signal older than the TTL. */
    Unchanged
  }

  private final Duration fatalTtl;
  private final Map<String, NodeHealthSignal> fatal = new HashMap<>();
  private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  public NodeHealthRegistry(Duration fatalTtl) {
    if (fatalTtl.isNegative() || fatalTtl.isZero()) {
      throw new IllegalArgumentException("fatalTtl must be positive, was " + fatalTtl);
    }
    this.fatalTtl = fatalTtl;
  }

  /** Called with a node's name when it becomes fatal or is cleared, outside any lock. */
  public void addListener(Consumer<String> listener) {
    listeners.add(listener);
  }

  public Outcome record(NodeHealthSignal signal, Instant now) {
    Outcome outcome;
    synchronized (this) {
      outcome = apply(signal, now);
    }
    if (outcome == Outcome.MarkedFatal || outcome == Outcome.Cleared) {
      notifyListeners(signal.node());
    }
    return outcome;
  }

  private Outcome apply(NodeHealthSignal signal, Instant now) {
    NodeHealthSignal current = live(signal.node(), now);
    switch (signal.severity()) {
      case Fatal -> {
        if (!expiry(signal).isAfter(now)) {
          return Outcome.Unchanged;
        }
        if (current != null && current.time().isAfter(signal.time())) {
          return Outcome.StillFatal;
        }
        fatal.put(signal.node(), signal);
        return current == null ? Outcome.MarkedFatal : Outcome.StillFatal;
      }
      case Cleared -> {
        // A clear older than the fatal signal it would remove is out of order: keep the mark.
        if (current == null || current.time().isAfter(signal.time())) {
          return Outcome.Unchanged;
        }
        fatal.remove(signal.node());
        return Outcome.Cleared;
      }
      default -> {
        return Outcome.Unchanged;
      }
    }
  }

  /** Removes a node's fatal mark, e.g. after an administrator repaired it. */
  public boolean clear(String node) {
    boolean removed;
    synchronized (this) {
      removed = fatal.remove(node) != null;
    }
    if (removed) {
      notifyListeners(node);
    }
    return removed;
  }

  public synchronized boolean isFatal(String node, Instant now) {
    return live(node, now) != null;
  }

  /** The signal that made the node fatal, while its mark lasts. */
  public synchronized Optional<NodeHealthSignal> fatalSignal(String node, Instant now) {
    return Optional.ofNullable(live(node, now));
  }

  /** Names of the nodes fatal at {@code now}, sorted. */
  public synchronized Set<String> fatalNodes(Instant now) {
    fatal.values().removeIf(s -> !expiry(s).isAfter(now));
    return new TreeSet<>(fatal.keySet());
  }

  private NodeHealthSignal live(String node, Instant now) {
    NodeHealthSignal signal = fatal.get(node);
    if (signal != null && !expiry(signal).isAfter(now)) {
      fatal.remove(node);
      return null;
    }
    return signal;
  }

  private Instant expiry(NodeHealthSignal signal) {
    return signal.time().plus(fatalTtl);
  }

  private void notifyListeners(String node) {
    for (Consumer<String> listener : listeners) {
      try {
        listener.accept(node);
      } catch (RuntimeException e) {
        LOG.warn("Node-health listener failed for node {}", node, e);
      }
    }
  }
}

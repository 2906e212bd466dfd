package dev.gangway.operator.health;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.api.config.InformerStoppedHandler;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Singleton;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the process when an informer stops with an error (a watch that failed for good: an object it cannot read, the
 * list or watch verb revoked, its resource gone). Such a replica would otherwise keep its leader Lease while it no
 * longer sees what it reconciles, so nothing would be reconciled anywhere and nothing would say so. Exiting hands the
 * Lease to the other replica, and a cause that persists shows as the pods' restarts and this log line. The Java
 * Operator SDK does the same by default; its Quarkus extension installs no handler unless the application has one.
 * An informer stopped without an error (shutdown) is left alone.
 */
@Singleton
@Unremovable
public class ExitOnStoppedInformer implements InformerStoppedHandler {
  static final int EXIT_CODE = 1;
  private static final int MAX_CAUSES = 32;
  private static final Logger LOG = LoggerFactory.getLogger(ExitOnStoppedInformer.class);

  private final IntConsumer exit;

  public ExitOnStoppedInformer() {
    this(Quarkus::asyncExit);
  }

  ExitOnStoppedInformer(IntConsumer exit) {
    this.exit = exit;
  }

  @Override
  @SuppressWarnings("rawtypes") // the interface declares the raw type
  public void onStop(SharedIndexInformer informer, Throwable error) {
    if (error == null) {
      return;
    }
    String type = informer.getApiTypeClass() == null ? "?" : informer.getApiTypeClass().getSimpleName();
    LOG.error("The {} informer stopped: {}. Exiting with code {}: a replica that cannot see its {}s must not hold the leader Lease;"
        + " if this repeats after the restart, an object or permission named above stops every list (fix or delete it)",
        type, reason(error), EXIT_CODE, type, error);
    exit.accept(EXIT_CODE);
  }

  /**
   * The error and its innermost cause on one line: the watch's own message ("Unexpected exception processing watch
   * event") does not say what it could not read; the cause names the field (Jackson's reference chain).
   */
  static String reason(Throwable error) {
    Throwable root = error;
    // Bounded: causes set with initCause can form a loop, and this runs on the way to the exit that must happen.
    for (int depth = 0; depth < MAX_CAUSES && root.getCause() != null && root.getCause() != root; depth++) {
      root = root.getCause();
    }
    String outer = error.getClass().getSimpleName() + ": " + error.getMessage();
    return (root == error ? outer : outer + "; caused by " + root.getClass().getSimpleName() + ": " + root.getMessage())
        .replaceAll("\\s*\\R\\s*", " ");
  }
}

package dev.gangway.job;

import java.util.concurrent.ThreadFactory;

/** Threads for the operator's own background writers: named for thread dumps, daemon so they never hold the JVM open. */
final class DaemonThreads {

  private DaemonThreads() {
  }

  static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}

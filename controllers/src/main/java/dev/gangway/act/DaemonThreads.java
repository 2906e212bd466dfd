package dev.gangway.act;

import java.util.concurrent.ThreadFactory;

/** Threads for the operator's own background writers: named for thread dumps, daemon so they never hold the JVM open. */
public final class DaemonThreads {

  private DaemonThreads() {
  }

  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}

package dev.gangway.e2e.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory and CPU time a process has used so far, read from Linux's /proc: what {@code ps}
 * shows, without starting it.
 *
 * @param rssBytes VmRSS
 * @param cpuSeconds user + system time since the process started
 */
public record ProcessUsage(long rssBytes, double cpuSeconds) {
  /** USER_HZ: the unit of /proc/PID/stat's times, 100 on every Linux a JVM runs on (sysconf(_SC_CLK_TCK)). */
  static final int CLOCK_TICKS_PER_SECOND = 100;

  public static ProcessUsage of(long pid) {
    try {
      return parse(Files.readString(Path.of("/proc", Long.toString(pid), "status")),
          Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException e) {
      throw new IllegalStateException("process " + pid + " is gone or unreadable: " + e.getMessage(), e);
    }
  }

  static ProcessUsage parse(String status, String stat) {
    long rssKib = status.lines().filter(l -> l.startsWith("VmRSS:")).findFirst()
        .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElseThrow(() -> new IllegalArgumentException("no VmRSS line"));
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    long ticks = Long.parseLong(after[11]) + Long.parseLong(after[12]); // utime and stime, fields 14 and 15
    return new ProcessUsage(rssKib * 1024, ticks / (double) CLOCK_TICKS_PER_SECOND);
  }

  public double rssMib() {
    return rssBytes / (1024.0 * 1024.0);
  }

  /** CPU seconds used since an earlier reading of the same process. */
  public double cpuSince(ProcessUsage earlier) {
    return cpuSeconds - earlier.cpuSeconds;
  }
}

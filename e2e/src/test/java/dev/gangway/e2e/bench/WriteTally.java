package dev.gangway.e2e.bench;

import dev.gangway.e2e.chaos.AuditEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The API writes each user sent while a step of a benchmark ran, counted from the kube-apiserver's audit
 * log by request ("create pods", "patch pods", "update trainingjobs/status"), so the writes a job costs
 * can be recounted on any later commit by rerunning the benchmark.
 */
public final class WriteTally {

  /** A step of the run: writes received from {@code from} to {@code to} (inclusive) are its. */
  public record Window(String name, Instant from, Instant to) {
    boolean holds(Instant t) {
      return !t.isBefore(from) && !t.isAfter(to);
    }
  }

  /** name of the window → user → request → count, in the order the windows were given. */
  private final Map<String, Map<String, Map<String, Long>>> counts = new LinkedHashMap<>();

  private WriteTally(List<Window> windows) {
    windows.forEach(w -> counts.put(w.name(), new TreeMap<>()));
  }

  /** Tallies the successful writes among the events into every window that holds their arrival. */
  public static WriteTally of(Stream<AuditEvent> events, List<Window> windows) {
    WriteTally tally = new WriteTally(windows);
    events.filter(e -> e.write() && e.succeeded()).forEach(e -> {
      for (Window w : windows) {
        if (w.holds(e.received())) {
          tally.counts.get(w.name()).computeIfAbsent(e.user(), u -> new TreeMap<>()).merge(request(e), 1L, Long::sum);
        }
      }
    });
    return tally;
  }

  /** As {@link #of(Stream, List)}, reading the audit log a line at a time (it grows to hundreds of MB on a big cluster). */
  public static WriteTally read(Path auditLog, List<Window> windows) {
    try (Stream<String> lines = Files.lines(auditLog)) {
      return of(lines.filter(l -> l.contains("ResponseComplete")).flatMap(l -> AuditEvent.parse(List.of(l)).stream()), windows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String request(AuditEvent e) {
    return e.verb() + " " + e.resource() + (e.subresource() == null ? "" : "/" + e.subresource());
  }

  /** Every write the user sent in the window. */
  public long writes(String window, String user) {
    return byRequest(window, user).values().stream().mapToLong(Long::longValue).sum();
  }

  /** The user's writes in the window to one resource, its subresources included (e.g. "pods": pods, pods/binding, pods/status). */
  public long writes(String window, String user, String resource) {
    return byRequest(window, user).entrySet().stream()
        .filter(e -> {
          String target = e.getKey().substring(e.getKey().indexOf(' ') + 1);
          return target.equals(resource) || target.startsWith(resource + "/");
        })
        .mapToLong(Map.Entry::getValue).sum();
  }

  /** request → count of the user's writes in the window. */
  public Map<String, Long> byRequest(String window, String user) {
    Map<String, Map<String, Long>> users = counts.get(window);
    if (users == null) {
      throw new IllegalArgumentException("no window named " + window);
    }
    return users.getOrDefault(user, Map.of());
  }

  /** request → count of every user's writes in the window: for events already narrowed to one client (its user agent). */
  public Map<String, Long> byRequest(String window) {
    Map<String, Long> all = new TreeMap<>();
    counts.get(window).values().forEach(requests -> requests.forEach((request, n) -> all.merge(request, n, Long::sum)));
    return all;
  }

  /** user → total writes in the window. */
  public Map<String, Long> byUser(String window) {
    Map<String, Long> totals = new TreeMap<>();
    counts.get(window).forEach((user, requests) -> totals.put(user, requests.values().stream().mapToLong(Long::longValue).sum()));
    return totals;
  }
}

package dev.gangway.e2e.sidebyside;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Why each Gangway job of a replay waited to be placed, and for how long, from its Events: a {@code WaitingForPlacement}
 * event is recorded for each new reason to wait, and a wait lasts until the job's next such event or its {@code Placed}
 * (not its {@code Started}, which the first reconcile records beside the first reason to wait). The benchmark's tables show where gangs went and when; these show whether a gang held out for a tighter
 * placement or waited behind the queue's head. Times are the events' eventTime (to the microsecond, which the operator
 * sets), else their legacy timestamps (whole seconds).
 */
public final class WaitReasons {
  static final String FASTER_RING = "held out for a faster ring";
  static final String TIGHTER = "held out for a tighter placement";
  static final String BEHIND_HEAD = "queued behind the head";
  /** The events that start or end a wait to be placed. */
  private static final Set<String> PLACEMENT_REASONS = Set.of("WaitingForPlacement", "Placed");

  private WaitReasons() {
  }

  /**
   * Job name → each kind of wait its events name, in the order first met, with the seconds spent in it (a wait still open
   * when the events were listed counts zero);
   * {@code events} is what `kubectl get events -o json` prints for the namespace.
   */
  public static Map<String, Map<String, Double>> of(JsonNode events) {
    Map<String, List<JsonNode>> byJob = new TreeMap<>();
    for (JsonNode e : events.path("items")) {
      if (!"TrainingJob".equals(e.path("involvedObject").path("kind").asText())) continue;
      byJob.computeIfAbsent(e.path("involvedObject").path("name").asText(), k -> new ArrayList<>()).add(e);
    }
    Map<String, Map<String, Double>> waits = new TreeMap<>();
    byJob.forEach((job, list) -> {
      // The API lists events by name; a job's story is in time order (ties: as listed).
      list.sort(Comparator.comparing(WaitReasons::time));
      List<JsonNode> placement = list.stream().filter(e -> PLACEMENT_REASONS.contains(e.path("reason").asText())).toList();
      Map<String, Double> kinds = new LinkedHashMap<>();
      for (int i = 0; i < placement.size(); i++) {
        JsonNode e = placement.get(i);
        if (!"WaitingForPlacement".equals(e.path("reason").asText())) continue;
        Instant end = i + 1 < placement.size() ? time(placement.get(i + 1)) : time(e);
        kinds.merge(kind(e.path("message").asText()), Duration.between(time(e), end).toMillis() / 1000.0, Double::sum);
      }
      if (!kinds.isEmpty()) waits.put(job, kinds);
    });
    return waits;
  }

  /** "queued behind the head 3.0 s, held out for a faster ring 11.2 s". */
  public static String describe(Map<String, Double> kinds) {
    List<String> parts = new ArrayList<>();
    kinds.forEach((kind, seconds) -> parts.add(String.format(Locale.ROOT, "%s %.1f s", kind, seconds)));
    return String.join(", ", parts);
  }

  /** The operator's words (PlacementMessages, TighterPlacement, GangPlacementStep); a faster-ring hold-out also says "Holding out". */
  private static String kind(String message) {
    if (message.contains("ring all-reduce")) return FASTER_RING;
    if (message.contains("Holding out for that until")) return TIGHTER;
    if (message.contains("is first in the queue")) return BEHIND_HEAD;
    return "other: " + (message.length() > 60 ? message.substring(0, 60) + "…" : message);
  }

  private static Instant time(JsonNode event) {
    // eventTime is to the microsecond (the operator sets it); the legacy timestamps are whole seconds.
    for (String field : List.of("eventTime", "firstTimestamp", "lastTimestamp")) {
      String t = event.path(field).asText("");
      if (!t.isEmpty() && !"null".equals(t)) return Instant.parse(t);
    }
    return Instant.EPOCH;
  }
}

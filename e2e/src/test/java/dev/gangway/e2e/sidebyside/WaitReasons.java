package dev.gangway.e2e.sidebyside;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Why each Gangway job of a replay waited to be placed, from its {@code WaitingForPlacement} events (one per new reason
 * to wait): the benchmark's tables show where gangs went and when, these show whether a gang held out for a tighter
 * placement or waited behind the queue's head.
 */
public final class WaitReasons {
  static final String FASTER_RING = "held out for a faster ring";
  static final String TIGHTER = "held out for a tighter placement";
  static final String BEHIND_HEAD = "queued behind the head";

  private WaitReasons() {
  }

  /**
   * Job name → the kinds of wait its events name, each once, in the order the events are listed (not by time);
   * {@code events} is what `kubectl get events -o json` prints.
   */
  public static Map<String, Set<String>> of(JsonNode events) {
    Map<String, Set<String>> byJob = new TreeMap<>();
    for (JsonNode e : events.path("items")) {
      if (!"WaitingForPlacement".equals(e.path("reason").asText())) continue;
      String message = e.path("message").asText();
      Set<String> kinds = byJob.computeIfAbsent(e.path("involvedObject").path("name").asText(), k -> new LinkedHashSet<>());
      // The operator's words (PlacementMessages, TighterPlacement, GangPlacementStep); a faster-ring hold-out also says
      // "Holding out", so it is named as the more specific kind.
      if (message.contains("ring all-reduce")) {
        kinds.add(FASTER_RING);
      } else if (message.contains("Holding out for that until")) {
        kinds.add(TIGHTER);
      } else if (message.contains("is first in the queue")) {
        kinds.add(BEHIND_HEAD);
      } else {
        kinds.add("other: " + (message.length() > 60 ? message.substring(0, 60) + "…" : message));
      }
    }
    return byJob;
  }
}

package dev.gangway.decide;

import dev.gangway.api.v1alpha1.TopologySpec;
import dev.gangway.api.v1alpha1.TrainingJobSpec;
import java.time.Duration;

/**
 * Operator-wide placement settings: defaults for the spec.topology fields a job leaves unset, and how long the queue's
 * head lets others pass. {@link #STANDARD} unless the platform sets GANGWAY_DEFAULT_WAIT_FOR_TIGHTER_SECONDS or
 * GANGWAY_PLACEMENT_HEAD_HOLDS_AFTER_SECONDS (the Helm chart's placement values).
 *
 * @param waitForTighter how long a gang that leaves spec.topology.waitForTighterSeconds unset may hold out for a tighter
 *     placement on its first attempt; zero: placed as soon as it fits
 * @param headHoldsAfter how long a waiting gang that does not fit lets the gangs behind it take what it could start on,
 *     before it holds that capacity ({@link dev.gangway.placement.PlacementQueue}); zero: it holds at once
 */
public record PlacementDefaults(Duration waitForTighter, Duration headHoldsAfter) {

  /** Out of the box: the default the API documents (TopologySpec.DEFAULT_WAIT_FOR_TIGHTER_SECONDS, shown by kubectl explain). */
  public static final PlacementDefaults STANDARD = new PlacementDefaults(Duration.ofSeconds(TopologySpec.DEFAULT_WAIT_FOR_TIGHTER_SECONDS));

  /** Gangs place as soon as they fit unless their spec asks otherwise. */
  public static final PlacementDefaults NO_WAIT = new PlacementDefaults(Duration.ZERO);

  public PlacementDefaults {
    waitForTighter = waitForTighter == null || waitForTighter.isNegative() ? Duration.ZERO : waitForTighter;
    headHoldsAfter = headHoldsAfter == null || headHoldsAfter.isNegative() ? Duration.ZERO : headHoldsAfter;
  }

  /** A head that holds capacity at once. */
  public PlacementDefaults(Duration waitForTighter) {
    this(waitForTighter, Duration.ZERO);
  }

  /**
   * spec.topology.waitForTighterSeconds for the gang's {@code attempt} (1 for the first): zero when set to 0 or less; when
   * unset, this default for the first attempt and zero for a restart. A restarting gang's GPUs were all in use a moment ago,
   * so every second it waits costs the whole gang, and at fleet scale restarts come every few hours: it holds out only when
   * its own spec asks to. Nor does a gang whose ranks ask for no GPUs: the tighter placement is measured in GPU links
   * (NVLink, then the network), which CPU ranks do not use.
   */
  public Duration waitForTighter(TrainingJobSpec spec, int attempt) {
    Integer seconds = spec == null || spec.getTopology() == null ? null : spec.getTopology().getWaitForTighterSeconds();
    if (seconds == null) return attempt > 1 || spec == null || spec.gpus() <= 0 ? Duration.ZERO : waitForTighter;
    return seconds <= 0 ? Duration.ZERO : Duration.ofSeconds(seconds);
  }
}

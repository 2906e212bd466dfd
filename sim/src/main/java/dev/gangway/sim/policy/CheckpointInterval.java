package dev.gangway.sim.policy;

/**
 * How often a job checkpoints: a fixed interval, or Young/Daly from the write time and the mean time
 * between failures (../shared/data/README.md "Checkpoint interval"). Times in any one unit.
 */
public final class CheckpointInterval {

  private CheckpointInterval() {
  }

  /** Young (1974): τ = √(2δM). */
  public static double young(double delta, double mtbf) {
    return Math.sqrt(2 * delta * mtbf);
  }

  /** Daly (2006): τ = √(2δM)·[1 + ⅓·√(δ/2M) + (1/9)·(δ/2M)] − δ for δ < 2M, else M. */
  public static double daly(double delta, double mtbf) {
    if (delta >= 2 * mtbf) return mtbf;
    double r = delta / (2 * mtbf);
    return Math.sqrt(2 * delta * mtbf) * (1 + Math.sqrt(r) / 3 + r / 9) - delta;
  }
}

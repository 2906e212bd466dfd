package dev.gangway.placement;

/** An amount of the three resources placement counts: GPUs (nvidia.com/gpu), CPU in millicores, memory in bytes. */
public record Resources(int gpus, long cpuMillis, long memoryBytes) {

  public static final Resources NONE = new Resources(0, 0, 0);

  public static Resources gpus(int gpus) {
    return new Resources(gpus, 0, 0);
  }

  public Resources plus(Resources o) {
    return new Resources(gpus + o.gpus, cpuMillis + o.cpuMillis, memoryBytes + o.memoryBytes);
  }

  public Resources minus(Resources o) {
    return new Resources(gpus - o.gpus, cpuMillis - o.cpuMillis, memoryBytes - o.memoryBytes);
  }

  public Resources times(int n) {
    return new Resources(gpus * n, cpuMillis * n, memoryBytes * n);
  }

  /**
   * How many copies of {@code each} fit in this amount; {@code unbounded} when {@code each} asks for nothing.
   */
  public long copiesOf(Resources each, long unbounded) {
    long n = unbounded;
    if (each.gpus > 0) n = Math.min(n, Math.max(0, gpus) / each.gpus);
    if (each.cpuMillis > 0) n = Math.min(n, Math.max(0, cpuMillis) / each.cpuMillis);
    if (each.memoryBytes > 0) n = Math.min(n, Math.max(0, memoryBytes) / each.memoryBytes);
    return n;
  }
}

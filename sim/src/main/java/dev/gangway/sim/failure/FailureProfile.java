package dev.gangway.sim.failure;

import dev.gangway.sim.clock.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fault rates per component, and the faults they produce on a fleet over a horizon.
 *
 * <p>From the Llama 3 table (../shared/data/failures/llama3-table5.csv: 419 unexpected interruptions of
 * one job on 16,384 GPUs = 2,048 nodes in 54 days), a hardware component's count becomes a rate per
 * node-hour (count / (2,048 · 54 · 24)) that every node of the simulated fleet has, busy or idle; a
 * software component's count becomes a rate per busy GPU-hour (count / (16,384 · 54 · 24)) that only
 * running jobs have. How each component shows itself (symptom, health signal) and how long the node
 * stays out are not in the paper: they are this simulator's assumptions, listed in {@link #TRAITS}.
 */
public final class FailureProfile {

  /** The job the Llama 3 counts are for: 16,384 GPUs in 2,048 nodes, 54 days. */
  public static final double LLAMA3_NODES = 2048;
  public static final double LLAMA3_GPUS = 16384;
  public static final double LLAMA3_HOURS = 54 * 24;

  /** Log-normal σ of repair times. */
  static final double REPAIR_SIGMA = 1.0;

  private record Traits(boolean nodeFault, Symptom symptom, boolean health, String reason, double repairHours) {
  }

  /**
   * Assumptions per component: node or software fault; symptom; whether a health agent (DCGM/XID,
   * IB port state) raises a Fatal signal; median repair (drain, reset or reboot, diagnostics, return
   * to service; part swaps for host hardware).
   */
  static final Map<String, Traits> TRAITS = Map.ofEntries(
      Map.entry("Faulty GPU", new Traits(true, Symptom.EXIT, true, "XID 79", 1.0)),
      Map.entry("GPU HBM3 Memory", new Traits(true, Symptom.EXIT, true, "XID 48 (DBE)", 1.0)),
      Map.entry("Software Bug", new Traits(false, Symptom.EXIT, false, null, 0)),
      Map.entry("Network Switch/Cable", new Traits(true, Symptom.HANG, true, "IB link down", 1.0)),
      Map.entry("Host Maintenance", new Traits(true, Symptom.NODE_DOWN, false, null, 2.0)),
      Map.entry("GPU SRAM Memory", new Traits(true, Symptom.EXIT, true, "XID 94", 1.0)),
      Map.entry("GPU System Processor", new Traits(true, Symptom.HANG, true, "XID 119 (GSP)", 1.0)),
      Map.entry("NIC", new Traits(true, Symptom.HANG, true, "IB port error", 2.0)),
      Map.entry("NCCL Watchdog Timeouts", new Traits(false, Symptom.HANG, false, null, 0)),
      Map.entry("Silent Data Corruption", new Traits(true, Symptom.EXIT, false, null, 4.0)),
      Map.entry("GPU Thermal Interface + Sensor", new Traits(true, Symptom.EXIT, true, "XID thermal", 2.0)),
      Map.entry("SSD", new Traits(true, Symptom.NODE_DOWN, false, null, 8.0)),
      Map.entry("Power Supply", new Traits(true, Symptom.NODE_DOWN, false, null, 8.0)),
      Map.entry("Server Chassis", new Traits(true, Symptom.NODE_DOWN, false, null, 8.0)),
      Map.entry("IO Expansion Board", new Traits(true, Symptom.NODE_DOWN, false, null, 8.0)),
      Map.entry("Dependency", new Traits(false, Symptom.EXIT, false, null, 0)),
      Map.entry("CPU", new Traits(true, Symptom.NODE_DOWN, false, null, 8.0)),
      Map.entry("System Memory", new Traits(true, Symptom.NODE_DOWN, false, null, 8.0)));

  private final List<Component> components;

  public FailureProfile(List<Component> components) {
    this.components = List.copyOf(components);
  }

  public List<Component> components() {
    return components;
  }

  /** Reads the Llama 3 table: {@code component,category,count,paper_pct}. */
  public static FailureProfile llama3(Path csv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read failure table " + csv + ": " + e.getMessage(), e);
    }
    List<Component> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) continue;
      String[] f = line.split(",");
      Traits t = TRAITS.get(f[0]);
      if (t == null) throw new IllegalArgumentException(csv + ": component '" + f[0] + "' has no traits in FailureProfile.TRAITS");
      int count = Integer.parseInt(f[2].trim());
      double rate = t.nodeFault() ? count / (LLAMA3_NODES * LLAMA3_HOURS) : count / (LLAMA3_GPUS * LLAMA3_HOURS);
      out.add(new Component(f[0], f[1], t.nodeFault(), t.symptom(), t.health(), t.reason(), t.repairHours(), rate));
    }
    return new FailureProfile(out);
  }

  /** The same components with every rate times {@code factor} (a sensitivity run). */
  public FailureProfile scaled(double factor) {
    return new FailureProfile(components.stream().map(c -> c.withRate(c.ratePerHour() * factor)).toList());
  }

  /** The same components with every repair median times {@code factor}. */
  public FailureProfile repairsScaled(double factor) {
    return new FailureProfile(components.stream().map(c -> new Component(c.name(), c.category(), c.nodeFault(), c.symptom(),
        c.healthSignal(), c.healthReason(), c.repairMedianHours() * factor, c.ratePerHour())).toList());
  }

  /**
   * Faults on a fleet of {@code nodes} nodes with {@code gpusPerNode} GPUs each, up to {@code horizon} ms:
   * one Poisson process per component over the whole fleet, each fault on a node drawn uniformly.
   * Software faults are drawn per GPU; one landing on an idle GPU does nothing (the simulation drops it).
   */
  public List<Fault> draw(int nodes, int gpusPerNode, long horizon, Random rnd) {
    List<Fault> out = new ArrayList<>();
    for (Component c : components) {
      double units = c.nodeFault() ? nodes : (double) nodes * gpusPerNode;
      double perMilli = c.ratePerHour() * units / Durations.HOUR;
      if (perMilli <= 0) continue;
      double t = 0;
      while (true) {
        t += -Math.log(1 - rnd.nextDouble()) / perMilli;
        if (t >= horizon) break;
        int node = rnd.nextInt(nodes);
        long repair = c.nodeFault() ? repairMillis(c.repairMedianHours(), rnd) : 0;
        out.add(new Fault((long) t, node, c, repair));
      }
    }
    out.sort(Comparator.comparingLong(Fault::time).thenComparingInt(Fault::node));
    return out;
  }

  static long repairMillis(double medianHours, Random rnd) {
    return Math.max(Durations.MINUTE, Math.round(medianHours * Math.exp(REPAIR_SIGMA * rnd.nextGaussian()) * Durations.HOUR));
  }

  /** Expected faults per day that hit a job of {@code gpus} GPUs on whole nodes of {@code gpusPerNode}. */
  public double expectedPerDay(int gpus, int gpusPerNode) {
    double perHour = 0;
    for (Component c : components) perHour += c.ratePerHour() * (c.nodeFault() ? (double) gpus / gpusPerNode : gpus);
    return perHour * 24;
  }
}

package dev.gangway.sim.failure;

import dev.gangway.sim.clock.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * A fleet's own fault history, replayed instead of drawn. CSV with a header line:
 *
 * <pre>
 * node,start_hours,end_hours,kind
 * hs-gpu-0042,12.5,14.0,Faulty GPU
 * 17,30,30,software
 * hs-gpu-1000,40.25,41,hang+health
 * </pre>
 *
 * {@code node} is a node name or index; {@code start_hours}/{@code end_hours} are hours from the start
 * of the run (the node is broken in between; equal for a software fault); {@code kind} is a component
 * of the failure profile (its symptom, health signal and node/software nature apply) or one of
 * {@code exit}, {@code hang}, {@code node-down} (a node fault), {@code software} (a crash of the job's
 * own code), optionally with {@code +health} when a health agent reports it. Lines starting with
 * {@code #} are comments.
 */
public final class FaultTrace {

  private FaultTrace() {
  }

  public static List<Fault> read(Path csv, FailureProfile profile, ToIntFunction<String> nodeIndex) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read fault trace " + csv + ": " + e.getMessage(), e);
    }
    List<Fault> out = new ArrayList<>();
    boolean header = true;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) continue;
      if (header) {
        header = false;
        if (!line.toLowerCase(Locale.ROOT).replace(" ", "").startsWith("node,start_hours,end_hours,kind")) {
          throw new IllegalArgumentException(csv + ":" + (i + 1) + ": the first line must be the header node,start_hours,end_hours,kind");
        }
        continue;
      }
      out.add(parse(csv + ":" + (i + 1), line, profile, nodeIndex));
    }
    out.sort(Comparator.comparingLong(Fault::time).thenComparingInt(Fault::node));
    return out;
  }

  static Fault parse(String where, String line, FailureProfile profile, ToIntFunction<String> nodeIndex) {
    String[] f = line.split(",", 4);
    if (f.length < 4) throw new IllegalArgumentException(where + ": expected node,start_hours,end_hours,kind, got: " + line);
    int node = nodeIndex.applyAsInt(f[0].trim());
    if (node < 0) throw new IllegalArgumentException(where + ": node '" + f[0].trim() + "' is not in the cluster");
    double start;
    double end;
    try {
      start = Double.parseDouble(f[1].trim());
      end = Double.parseDouble(f[2].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where + ": start_hours and end_hours must be numbers, got: " + line);
    }
    if (start < 0 || end < start) throw new IllegalArgumentException(where + ": need 0 <= start_hours <= end_hours, got: " + line);
    Component c = component(where, f[3].trim(), profile);
    long repair = c.nodeFault() ? Math.max(Durations.MINUTE, Durations.hours(end - start)) : 0;
    return new Fault(Durations.hours(start), node, c, repair);
  }

  private static Component component(String where, String kind, FailureProfile profile) {
    for (Component c : profile.components()) {
      if (c.name().equalsIgnoreCase(kind)) return c;
    }
    boolean health = kind.toLowerCase(Locale.ROOT).endsWith("+health");
    String base = health ? kind.substring(0, kind.length() - "+health".length()) : kind;
    if (base.equalsIgnoreCase("software")) return new Component("software", "trace", false, Symptom.EXIT, false, null, 0, 0);
    Symptom s;
    try {
      s = Symptom.parse(base);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": kind '" + kind + "' is neither a component of the profile nor one of exit, hang,"
          + " node-down, software (optionally +health)");
    }
    return new Component(base.toLowerCase(Locale.ROOT), "trace", true, s, health, health ? "trace: " + base : null, 0, 0);
  }
}

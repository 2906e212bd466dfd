package dev.gangway.e2e.bench;

import dev.gangway.e2e.LocalCluster;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Named processes (the control plane's components, the operator) whose CPU a benchmark step is charged with. */
public record ProcessGroup(Map<String, Long> pids) {
  /** The cluster's processes, as cluster.sh names and records them. */
  public static final List<String> COMPONENTS = List.of("kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler", "kwok");

  /** The cluster's processes and the operator ("operator"), by the pids they were started with. */
  public static ProcessGroup of(LocalCluster cluster, long operatorPid) {
    Map<String, Long> pids = new LinkedHashMap<>();
    COMPONENTS.forEach(component -> pids.put(component, cluster.pid(component)));
    pids.put("operator", operatorPid);
    return new ProcessGroup(pids);
  }

  /** Every process's usage now. */
  public Map<String, ProcessUsage> usage() {
    Map<String, ProcessUsage> usage = new LinkedHashMap<>();
    pids.forEach((name, pid) -> usage.put(name, ProcessUsage.of(pid)));
    return usage;
  }

  /** CPU seconds each process used since {@code before} (a reading of {@link #usage()}). */
  public Map<String, Double> cpuSince(Map<String, ProcessUsage> before) {
    Map<String, Double> cpu = new LinkedHashMap<>();
    Map<String, ProcessUsage> now = usage();
    before.forEach((name, then) -> cpu.put(name, now.get(name).cpuSince(then)));
    return cpu;
  }
}

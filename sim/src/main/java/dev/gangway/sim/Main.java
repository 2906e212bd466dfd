package dev.gangway.sim;

import dev.gangway.sim.clock.Durations;
import dev.gangway.sim.failure.FailureProfile;
import dev.gangway.sim.fleet.ClusterDescription;
import dev.gangway.sim.policy.Costs;
import dev.gangway.sim.policy.Policy;
import dev.gangway.sim.report.Charts;
import dev.gangway.sim.report.JsonReport;
import dev.gangway.sim.report.TextReport;
import dev.gangway.sim.run.PolicyResult;
import dev.gangway.sim.run.Scenario;
import dev.gangway.sim.run.ScenarioBuilder;
import dev.gangway.sim.run.Simulation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The goodput simulator's command line. Run from the repository root:
 * {@code java -jar sim/target/gangway-sim.jar [--days 54] [--seed 1] ...}; {@code --help} lists the options.
 */
public final class Main {

  private static final String HELP = """
      gangway-sim: Gangway's placement and recovery code on simulated time, policies side by side.
        --cluster FILE        cluster description (default e2e/clusters/hyperscale.yaml)
        --failures FILE       failure table (default ../shared/data/failures/llama3-table5.csv)
        --trace FILE          replay node faults from FILE instead (node,start_hours,end_hours,kind; see sim/README.md)
        --days D              simulated days (default 54, the Llama 3 snapshot)
        --seed S              seed for faults, jobs and random choices (default 1)
        --large-gpus N        the pre-training job's GPUs, whole nodes (default 15360; 0 for none)
        --stream-load L       offered load of the mixed stream on the GPUs the large job leaves (default 0.85)
        --stream-hours H      mean work of a stream job in hours (default 8)
        --interval-minutes M  fixed checkpoint interval (default 60)
        --startup-minutes M   the large job's start-up: pods, rendezvous, NCCL init (default 5)
        --write-minutes M     the large job's checkpoint write, training stopped (default 2)
        --load-minutes M      the large job's checkpoint load on a restart (default 3)
        --hot-spares N        hot spares of the tuned policy (default 16)
        --fault-scale F       multiply every fault rate (default 1)
        --repair-scale F      multiply every repair time (default 1)
        --inspection-hours H  a node Gangway flagged is inspected H hours later and returns to service then, or once
                              repaired if broken (default 2; negative: never, the fleet shrinks)
        --window W            waiting gangs looked at per placement pass (default 16)
        --head-holds-after-minutes M
                              also run gangway-defaults and gangway-tuned with the operator's
                              placement.headHoldsAfterSeconds at M minutes: a waiting gang that does not fit lets
                              the gangs behind it pass for that long before it holds capacity (default: not run)
        --no-ablation         run only naive, gangway-defaults and gangway-tuned
        --policies A,B        run only the named policies (names as printed)
        --out DIR             where results.json and the PNG charts go (default sim-out)
      """;

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    if (o.containsKey("help")) {
      System.out.print(HELP);
      return;
    }
    ClusterDescription cluster = ClusterDescription.read(Path.of(o.getOrDefault("cluster", "e2e/clusters/hyperscale.yaml")));
    FailureProfile profile = FailureProfile.llama3(Path.of(o.getOrDefault("failures", "../shared/data/failures/llama3-table5.csv")))
        .scaled(Double.parseDouble(o.getOrDefault("fault-scale", "1")))
        .repairsScaled(Double.parseDouble(o.getOrDefault("repair-scale", "1")));
    Path trace = o.containsKey("trace") ? Path.of(o.get("trace")) : null;
    int largeGpus = Integer.parseInt(o.getOrDefault("large-gpus", "15360"));
    ScenarioBuilder.Workload base = ScenarioBuilder.Workload.llama3(largeGpus);
    ScenarioBuilder.Workload w = new ScenarioBuilder.Workload(base.largeGpus(),
        Durations.minutes(Double.parseDouble(o.getOrDefault("startup-minutes", "5"))),
        Durations.minutes(Double.parseDouble(o.getOrDefault("write-minutes", "2"))),
        Durations.minutes(Double.parseDouble(o.getOrDefault("load-minutes", "3"))), Double.parseDouble(o.getOrDefault("stream-load", "0.85")),
        Double.parseDouble(o.getOrDefault("stream-hours", "8")), base.streamMaxLog2Nodes());
    double days = Double.parseDouble(o.getOrDefault("days", "54"));
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));
    Costs costs = Costs.standard().withInspection(Durations.hours(Double.parseDouble(o.getOrDefault("inspection-hours", "2"))));
    Scenario scenario = ScenarioBuilder.build(cluster, profile, trace, w, days, costs,
        Integer.parseInt(o.getOrDefault("window", "16")), seed);
    double interval = Double.parseDouble(o.getOrDefault("interval-minutes", "60"));
    int spares = Integer.parseInt(o.getOrDefault("hot-spares", "16"));
    List<Policy> policies = new ArrayList<>(Policy.compared(interval, spares, !o.containsKey("no-ablation")));
    if (o.containsKey("head-holds-after-minutes")) {
      double minutes = Double.parseDouble(o.get("head-holds-after-minutes"));
      if (!(minutes > 0)) throw new IllegalArgumentException("--head-holds-after-minutes needs a positive number of minutes; see --help");
      String suffix = ", head passed " + o.get("head-holds-after-minutes") + " min";
      policies.add(Policy.gangwayDefaults(interval).withHeadHoldsAfterMinutes(minutes).named("gangway-defaults" + suffix));
      policies.add(Policy.gangwayTuned(interval, spares).withHeadHoldsAfterMinutes(minutes).named("gangway-tuned" + suffix));
    }
    if (o.containsKey("policies")) {
      List<String> names = List.of(o.get("policies").split(","));
      policies = policies.stream().filter(p -> names.contains(p.name())).toList();
      if (policies.isEmpty()) throw new IllegalArgumentException("--policies " + o.get("policies") + " names no policy; see --help");
    }

    System.out.printf("gangway-sim: %s (%d nodes x %d GPUs), %.0f days, seed %d, %d faults (%s), %d jobs (large job %d GPUs, "
            + "expected %.1f interruptions/day)%n", cluster.name(), cluster.nodes().count(), cluster.nodes().gpus(), days, seed,
        scenario.faults().size(), trace == null ? "drawn from the failure table" : "trace " + trace, scenario.jobs().size(), largeGpus,
        profile.expectedPerDay(largeGpus, cluster.nodes().gpus()));
    List<PolicyResult> results = new ArrayList<>();
    for (Policy p : policies) {
      PolicyResult r = new Simulation(scenario, p).run();
      System.out.printf("  %-36s %8.2f s CPU, %,d events%n", p.name(), r.cpuSeconds(), r.events());
      results.add(r);
    }
    System.out.println();
    System.out.print(TextReport.render(results));
    Path out = Path.of(o.getOrDefault("out", "sim-out"));
    Files.createDirectories(out);
    JsonReport.write(out.resolve("results.json"), scenario, o, results);
    List<Path> charts = Charts.write(out, results.subList(0, Math.min(3, results.size())));
    System.out.println("\nwrote " + out.resolve("results.json") + (charts.isEmpty() ? "" : " and " + charts.size() + " charts in " + out));
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'; see --help");
      String key = a.substring(2);
      if (key.equals("help") || key.equals("no-ablation")) {
        o.put(key, "true");
      } else {
        if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value; see --help");
        o.put(key, args[++i]);
      }
    }
    return o;
  }
}

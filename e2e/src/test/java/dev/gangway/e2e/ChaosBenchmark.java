package dev.gangway.e2e;

import dev.gangway.e2e.chaos.ChaosPlan;
import dev.gangway.e2e.chaos.ChaosPlanner;
import dev.gangway.e2e.chaos.ChaosProfile;
import dev.gangway.e2e.chaos.ChaosReport;
import dev.gangway.e2e.chaos.ChaosRun;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 10's proof, full form: the chaos run on a `superpod` cluster of its own (128 nodes x 8
 * GPUs), 64 jobs of 1-64 ranks and 220 faults (~20 min on 2 cores). Asserts no violation, like
 * the short form; its figures go to bench/README.md.
 *
 * <pre>mvn -B verify -pl e2e -Dtest=ChaosBenchmark -Dgangway.chaos=full [-Dgangway.chaos.seed=N]</pre>
 */
@EnabledIfSystemProperty(named = "gangway.chaos", matches = "full")
class ChaosBenchmark {

  @Test
  void fullChaosRunOnTheSuperpod() {
    ChaosPlan plan = ChaosPlanner.plan(ChaosProfile.FULL, Long.getLong("gangway.chaos.seed", ChaosE2eTest.DEFAULT_SEED));
    ChaosReport report;
    try (LocalCluster cluster = LocalCluster.start(E2eEnvironment.REPO, E2eEnvironment.WORK.resolve("chaos"), ChaosProfile.FULL.nodeFile(),
        26600, List.of("--audit-log", "--timeout", "300"))) {
      cluster.installCrds();
      report = ChaosRun.run(cluster, plan, E2eEnvironment.REPO, 26608);
      System.out.println(report.render());
    }
    ChaosE2eTest.assertNoViolations(plan, report);
  }
}

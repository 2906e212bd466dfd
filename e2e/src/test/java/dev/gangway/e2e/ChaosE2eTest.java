package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.e2e.chaos.ChaosPlan;
import dev.gangway.e2e.chaos.ChaosPlanner;
import dev.gangway.e2e.chaos.ChaosProfile;
import dev.gangway.e2e.chaos.ChaosReport;
import dev.gangway.e2e.chaos.ChaosRun;
import dev.gangway.e2e.chaos.Replicas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 10's proof, short form (~5 min, in `./gangway test`): a seeded chaos run against two
 * packaged operator replicas on the suite's shared 16-node cluster, whose own operator is stopped
 * for it and started again after, and not one broken guarantee. The full form is
 * {@link ChaosBenchmark}. The report (faults by kind, violations, recovery per fault kind,
 * takeovers) goes to stdout and into the assertion message.
 */
// In ./gangway test; -Dgangway.chaos=off skips it in a local run of the e2e suite.
@DisabledIfSystemProperty(named = "gangway.chaos", matches = "off")
@ExtendWith(E2eEnvironment.Extension.class)
class ChaosE2eTest {
  /** Fixed, so a failure reproduces with the same schedule: change it with -Dgangway.chaos.seed. */
  static final long DEFAULT_SEED = 20261201L;

  @Test
  void aSeededChaosRunBreaksNoGuarantee(E2eEnvironment env) {
    ChaosPlan plan = ChaosPlanner.plan(ChaosProfile.SHORT, Long.getLong("gangway.chaos.seed", DEFAULT_SEED));
    env.operator().close();
    ChaosReport report;
    try {
      report = ChaosRun.run(env.cluster(), plan, E2eEnvironment.REPO, env.portBase() + 8);
      System.out.println(report.render()); // before anything else can fail
    } finally {
      env.restartOperator();
      // The later tests want the GPUs back and no leftovers of this run.
      env.cluster().kubectl("delete", "namespace", ChaosRun.NAMESPACE, Replicas.LEASE_NAMESPACE, "--ignore-not-found", "--timeout=120s");
    }
    assertNoViolations(plan, report);
  }

  static void assertNoViolations(ChaosPlan plan, ChaosReport report) {
    String rendered = report.render();
    int applied = report.appliedByKind().values().stream().mapToInt(Integer::intValue).sum();
    assertThat(applied).as("faults applied (a run that hits nothing proves nothing)\n" + rendered)
        .isGreaterThanOrEqualTo(plan.faults().size() / 2);
    assertThat(report.violations()).as(rendered).isEmpty();
  }
}

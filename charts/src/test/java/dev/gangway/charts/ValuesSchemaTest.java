package dev.gangway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A wrong value stops `helm install` / `helm template` with a message that names it (values.schema.json). */
class ValuesSchemaTest {

  @ParameterizedTest(name = "--set {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "replicaCount=-1                          | /replicaCount                       | minimum",
      "replicaCount=two                         | /replicaCount                       | want integer",
      "messaging.type=rabbit                    | /messaging/type                     | 'in-memory', 'kafka'",
      "messaging.type=kafka                     | /messaging/kafka/bootstrapServers   | minLength",
      "messaging.kafka.bootstrapServers=nohost  | /messaging/kafka/bootstrapServers   | does not match pattern",
      "image.pullPolicy=Sometimes               | /image/pullPolicy                   | 'Always', 'IfNotPresent', 'Never'",
      "logLevel=VERBOSE                         | /logLevel                           | must be one of",
      "watchNamespaces={Team_A}                 | /watchNamespaces/0                  | does not match pattern",
      "failurePolicy.maxRestarts=-2             | /failurePolicy/maxRestarts          | minimum",
      "placement.waitForTighterSeconds=-1       | /placement/waitForTighterSeconds    | minimum",
      "placement.headHoldsAfterSeconds=-1       | /placement/headHoldsAfterSeconds    | minimum",
      "nodeHealth.taintNodes=maybe              | /nodeHealth/taintNodes              | want boolean",
      "nodeHealth.cordonNodes=1                 | /nodeHealth/cordonNodes             | want boolean",
      "serviceMonitor.interval=often            | /serviceMonitor/interval            | does not match pattern",
      "pdb.minAvailable=0                       | /pdb/minAvailable                   | minimum",
      "retainJobs=true                          | at ''                               | additional properties 'retainJobs' not allowed",
      "leaderElection.leaseDuration=fast        | /leaderElection/leaseDuration       | does not match pattern",
  })
  void wrongValueIsRejectedWithAMessageNamingIt(String setArg, String path, String reason) {
    Helm.Result result = Helm.template("--set", setArg);
    assertThat(result.exitCode()).as("helm template --set %s must fail", setArg).isNotZero();
    assertThat(result.stderr())
        .contains("values don't meet the specifications of the schema")
        .contains(path)
        .contains(reason);
  }

  @Test
  void kafkaWithBootstrapServersIsAccepted() {
    Helm.template("--set", "messaging.type=kafka", "--set", "messaging.kafka.bootstrapServers=kafka:9092").assertSucceeded();
  }

  @Test
  void backoffLargerThanItsCapIsRejectedByTheTemplate() {
    Helm.Result result = Helm.template("--set", "failurePolicy.backoff.initialSeconds=600", "--set", "failurePolicy.backoff.maxSeconds=300");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("failurePolicy.backoff.initialSeconds (600) must not exceed failurePolicy.backoff.maxSeconds (300)");
    // Only one of them set: the operator keeps its cap at or above the initial delay, so there is nothing to refuse.
    assertThat(Helm.template("--set", "failurePolicy.backoff.initialSeconds=600").exitCode()).isZero();
  }

  @Test
  void leaderElectionTimesMustLeaveTheLeaderTimeToGiveUpBeforeAStandbyTakesOver() {
    Helm.Result renew = Helm.template("--set", "leaderElection.renewDeadline=15s");
    assertThat(renew.exitCode()).isNotZero();
    assertThat(renew.stderr()).contains("leaderElection.renewDeadline (15s) must be shorter than leaderElection.leaseDuration (15s)");
    Helm.Result retry = Helm.template("--set", "leaderElection.retryPeriod=10000ms");
    assertThat(retry.exitCode()).isNotZero();
    assertThat(retry.stderr()).contains("leaderElection.retryPeriod (10000ms) must be shorter than leaderElection.renewDeadline (10s)");
    // Units are compared, not strings: 1m of lease with 45s to renew is fine.
    Helm.template("--set", "leaderElection.leaseDuration=1m", "--set", "leaderElection.renewDeadline=45s").assertSucceeded();
  }

  @Test
  void topologyLevelsAreCheckedLikeTheClusterTopologyCrd() {
    Helm.Result result = Helm.template("--set", "defaultTopology.enabled=true",
        "--set", "defaultTopology.levels[0].name=Rack", "--set", "defaultTopology.levels[0].nodeLabel=rack",
        "--set", "defaultTopology.levels[0].bandwidthGBps=-1");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("/defaultTopology/levels/0/name").contains("/defaultTopology/levels/0/bandwidthGBps");
  }
}

package dev.gangway.job;

import dev.gangway.act.NodeMarking;
import dev.gangway.act.RankPodBuilderTest;
import dev.gangway.decide.BindDeadlines;
import dev.gangway.decide.GangPlacementStep;
import dev.gangway.decide.JobConditions;
import dev.gangway.decide.PlacementDefaults;
import dev.gangway.pod.JobNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gangway.api.v1alpha1.ClusterTopology;
import dev.gangway.api.v1alpha1.JobPhase;
import dev.gangway.api.v1alpha1.TopologyLevel;
import dev.gangway.api.v1alpha1.TopologySpec;
import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import java.io.FileInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler end to end against Fabric8's CRUD mock API server. Nothing runs pods here, so the
 * tests play kubelet and scheduler by writing pod status themselves.
 */
@EnableKubernetesMockClient(crud = true)
class TrainingJobReconcilerTest {
  private static final String NS = "team-a";
  static KubernetesMockServer server;
  static KubernetesClient client;
  private Operator operator;
  /** Shared with the reconciler: the tests play the checkpoint channel through its inbox. */
  private static final JobDependencies DEPS = JobDependencies.standalone().withNodeMarking(new NodeMarking(true, true));

  @BeforeEach
  void startOperator() throws IOException {
    for (String crd : List.of("trainingjobs.gangway.dev-v1.yml", "clustertopologies.gangway.dev-v1.yml")) {
      try (var in = new FileInputStream("../crds/" + crd)) {
        client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).createOr(c -> c.update());
      }
    }
    operator = startNewOperator();
  }

  @AfterEach
  void stopOperator() {
    operator.stop();
    client.resources(TrainingJob.class).inAnyNamespace().delete();
    client.pods().inAnyNamespace().delete();
    client.services().inAnyNamespace().delete();
    client.secrets().inAnyNamespace().delete();
    client.nodes().delete();
    client.resources(ClusterTopology.class).delete();
    client.resourceQuotas().inAnyNamespace().delete();
    client.limitRanges().inAnyNamespace().delete();
  }

  private static Operator startNewOperator() {
    return startNewOperator(DEPS);
  }

  private static Operator startNewOperator(JobDependencies deps) {
    return startNewOperator(new TrainingJobReconciler(deps));
  }

  private static Operator startNewOperator(TrainingJobReconciler reconciler) {
    Operator op = new Operator(o -> o.withKubernetesClient(client).withUseSSAToPatchPrimaryResource(false)
        .withCloseClientOnStop(false).withReconciliationTerminationTimeout(Duration.ofSeconds(2)));
    op.register(reconciler);
    op.start();
    return op;
  }

  /** A job of {@code ranks} x 8 GPUs on as many nodes, its pods reported running: returns it once Running. */
  private static TrainingJob startRunning(String name, int ranks) {
    nodes(ranks);
    create(TestJobs.job(name, ranks, 8));
    awaitPods(name, ranks).forEach(p -> setStatus(p, TestJobs.running("n")));
    return awaitPhase(name, JobPhase.Running);
  }

  @Test
  void createsAHeadlessServiceAndOnePodPerRankThenRunsToSuccess() {
    nodes(3);
    create(TestJobs.job("llama", 3, 8));
    List<Pod> pods = awaitPods("llama", 3);
    assertThat(pods).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("llama-r0-a1", "llama-r1-a1", "llama-r2-a1");
    assertThat(client.services().inNamespace(NS).withName("llama").get().getSpec().getClusterIP()).isEqualTo("None");
    awaitPhase("llama", JobPhase.Pending);

    pods.forEach(p -> setStatus(p, TestJobs.running("node-" + p.getMetadata().getLabels().get("gangway.dev/rank"))));
    TrainingJob running = awaitPhase("llama", JobPhase.Running);
    assertThat(running.getStatus().getReady()).isEqualTo("3/3");
    assertThat(running.getStatus().getGpus()).isEqualTo(24);
    assertThat(running.getStatus().getStartTime()).isNotNull();

    pods.forEach(p -> setStatus(p, TestJobs.exited(0, "Completed", null)));
    TrainingJob done = awaitPhase("llama", JobPhase.Succeeded);
    assertThat(done.getStatus().getCompletionTime()).isNotNull();
    await().untilAsserted(() -> assertThat(events("llama")).contains("Started", "Running", "Succeeded"));
  }

  @Test
  void aDeletedServiceIsCreatedAgain() {
    // A Service appearing starts no reconcile (the job made it); its deletion still wakes the job, which converges.
    startRunning("dns", 2);
    String first = client.services().inNamespace(NS).withName("dns").get().getMetadata().getUid();

    client.services().inNamespace(NS).withName("dns").delete();
    await().untilAsserted(() -> assertThat(client.services().inNamespace(NS).withName("dns").get()).isNotNull()
        .extracting(s -> s.getMetadata().getUid()).isNotEqualTo(first));
  }

  @Test
  void aServiceLeftByADeletedJobOfTheSameNameIsAdoptedSoTheGarbageCollectorKeepsIt() {
    // The garbage collector has not yet deleted the Service of an earlier "dns", deleted just now.
    client.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("dns").withNamespace(NS)
        .addToLabels("gangway.dev/job-name", "dns").addNewOwnerReference().withApiVersion("gangway.dev/v1alpha1").withKind("TrainingJob")
        .withName("dns").withUid("uid-of-the-deleted-dns").withController(true).endOwnerReference().endMetadata()
        .withNewSpec().withClusterIP("None").endSpec().build()).create();

    TrainingJob job = startRunning("dns", 2);
    await().untilAsserted(() -> assertThat(client.services().inNamespace(NS).withName("dns").get().getMetadata().getOwnerReferences())
        .singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid())));
  }

  @Test
  void podEventsHeldInsideABatchWindowAreTakenAtItsEnd() {
    // Batching as a 2,000-rank gang gets it (a second or more between reconciles), here from 2 ranks and 3 s long, so
    // the kubelet's writes below land inside windows and start no reconcile. Once every rank has exited nothing else
    // wakes the job (checked: without the wake at the window's end it stays Running).
    operator.stop();
    operator = startNewOperator(new TrainingJobReconciler(DEPS, new ReconcileBatching(2, Duration.ofSeconds(1), Duration.ofSeconds(3))));
    nodes(4);
    create(TestJobs.job("held", 4, 8));
    List<Pod> pods = awaitPods("held", 4);
    pods.forEach(p -> setStatus(p, TestJobs.running("n")));
    TrainingJob running = awaitPhase("held", JobPhase.Running);
    assertThat(running.getStatus().getReady()).isEqualTo("4/4");

    pods.forEach(p -> setStatus(p, TestJobs.exited(0, "Completed", null)));
    awaitPhase("held", JobPhase.Succeeded);
  }

  @Test
  void aPermanentErrorFailsTheJobAtOnceAndStopsTheOtherRanks() {
    nodes(2);
    create(TestJobs.job("gpt", 2, 8));
    List<Pod> pods = awaitPods("gpt", 2);
    setStatus(pods.get(0), TestJobs.running("n1"));
    setStatus(pods.get(1), TestJobs.exited(2, "Error", "usage: train.py [-h] --lr LR"));

    TrainingJob failed = awaitPhase("gpt", JobPhase.Failed);
    var condition = JobConditions.find(failed.getStatus().getConditions(), "Failed").orElseThrow();
    assertThat(condition.getReason()).isEqualTo("PermanentFailure");
    assertThat(condition.getMessage()).contains("exit code 2");
    assertThat(failed.getStatus().getRestarts()).isZero();
    await().untilAsserted(() -> assertThat(podNames("gpt")).containsExactly(pods.get(1).getMetadata().getName()));
  }

  @Test
  void aRetryableFailureRestartsTheWholeGangFromTheLastReportedCheckpoint() {
    nodes(4);
    TrainingJob spec = TestJobs.job("resume", 2, 8);
    spec.getSpec().setFailurePolicy(new dev.gangway.api.v1alpha1.FailurePolicy());
    spec.getSpec().getFailurePolicy().setBackoff(new dev.gangway.api.v1alpha1.Backoff());
    spec.getSpec().getFailurePolicy().getBackoff().setInitialSeconds(1);
    TrainingJob created = create(spec);
    List<Pod> pods = awaitPods("resume", 2);
    pods.forEach(p -> setStatus(p, TestJobs.running("n")));
    awaitPhase("resume", JobPhase.Running);
    DEPS.checkpoints().offer(new dev.gangway.checkpoint.CheckpointReport(NS, "resume", created.getMetadata().getUid(), 1, 1200L,
        "/ckpt/step-1200", java.time.Instant.now()));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(job("resume").getStatus().getLastCheckpoint()).isNotNull());

    // The decision is persisted before its side effects: when a pod of attempt 2 appears, the stored attempt is 2 already.
    List<String> attemptSeenWithNewPods = new java.util.concurrent.CopyOnWriteArrayList<>();
    var watch = client.pods().inNamespace(NS).withLabel(JobNames.LABEL_ATTEMPT, "2").watch(new io.fabric8.kubernetes.client.Watcher<Pod>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        if (action == Action.ADDED) {
          attemptSeenWithNewPods.add(pod.getMetadata().getName() + "@" + job("resume").getStatus().getAttempt());
        }
      }

      @Override
      public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
      }
    });
    setStatus(pods.stream().filter(p -> p.getMetadata().getName().equals("resume-r1-a1")).findFirst().orElseThrow(),
        TestJobs.exited(1, "Error", "NCCL watchdog timeout"));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(podNames("resume")).containsExactlyInAnyOrder("resume-r0-a2", "resume-r1-a2"));
    await().untilAsserted(() -> assertThat(attemptSeenWithNewPods).hasSize(2));
    watch.close();
    assertThat(attemptSeenWithNewPods).containsExactlyInAnyOrder("resume-r0-a2@2", "resume-r1-a2@2");
    // Rank names resolve to the new attempt's pods only.
    await().untilAsserted(() -> assertThat(client.services().inNamespace(NS).withName("resume").get().getSpec().getSelector())
        .containsEntry(JobNames.LABEL_ATTEMPT, "2").containsEntry(JobNames.LABEL_JOB, "resume"));
    TrainingJob restarted = job("resume");
    assertThat(restarted.getStatus().getRestarts()).isEqualTo(1);
    assertThat(restarted.getStatus().getAttempt()).isEqualTo(2);
    assertThat(restarted.getStatus().getRestartHistory()).singleElement().satisfies(r -> {
      assertThat(r.getRank()).isEqualTo(1);
      assertThat(r.getExitCode()).isEqualTo(1);
      assertThat(r.getResumedFrom()).isEqualTo("/ckpt/step-1200");
    });
    Pod rank1 = client.pods().inNamespace(NS).withName("resume-r1-a2").get();
    assertThat(RankPodBuilderTest.env(rank1.getSpec().getContainers().get(0)))
        .containsEntry("GANGWAY_RESUME_FROM", "/ckpt/step-1200").containsEntry("GANGWAY_ATTEMPT", "2");

    client.pods().inNamespace(NS).withLabel(JobNames.LABEL_JOB, "resume").list().getItems()
        .forEach(p -> setStatus(p, TestJobs.running("n")));
    TrainingJob recovered = awaitPhase("resume", JobPhase.Running);
    assertThat(JobConditions.find(recovered.getStatus().getConditions(), "Restarting").orElseThrow().getReason()).isEqualTo("Recovered");
    assertThat(recovered.getStatus().getTimings()).isNotNull();
    await().untilAsserted(() -> assertThat(events("resume")).contains("RankFailed", "Restarting", "Resumed"));
    assertThat(DEPS.meters().find("gangway.restarts").tag("cause", "RankFailed").counter().count()).isGreaterThanOrEqualTo(1.0);
    assertThat(DEPS.meters().find("gangway.recovery.seconds").summary().count()).isPositive();

    // Goodput: the restart's backoff (1 s) and re-placement are lost to it; the buckets add up to the GPU time held.
    var goodput = recovered.getStatus().getGoodput();
    assertThat(goodput).isNotNull();
    assertThat(goodput.getLostGpuSeconds().getRestart()).isGreaterThanOrEqualTo(16);
    assertThat(goodput.getHeldGpuSeconds()).isEqualTo(goodput.getUsefulGpuSeconds() + goodput.getLostGpuSeconds().getLostWork()
        + goodput.getLostGpuSeconds().getDetection() + goodput.getLostGpuSeconds().getRestart()
        + goodput.getLostGpuSeconds().getWaitingForCapacity());
    assertThat(goodput.getRatio()).isBetween(0.0, 1.0);
    assertThat(DEPS.meters().find("gangway.job.goodput.ratio").tag("namespace", NS).tag("name", "resume").gauge().value())
        .isBetween(0.0, 1.0);
    assertThat(DEPS.meters().find("gangway.gpu.seconds.lost").tag("cause", "restart").counter().count()).isGreaterThanOrEqualTo(16.0);
  }

  /**
   * An MPI job's ssh keys: one Secret, owned by the job, made before its ranks and kept as it is across a gang restart,
   * so every rank of every attempt trusts the same key.
   */
  @Test
  void anMpiJobGetsOneSshSecretOfItsOwnThatItsRanksOfEveryAttemptMount() {
    nodes(2);
    TrainingJob spec = TestJobs.job("hpl", 2, 8);
    spec.getSpec().setFramework(dev.gangway.api.v1alpha1.Framework.MPI);
    spec.getSpec().setFailurePolicy(new dev.gangway.api.v1alpha1.FailurePolicy());
    spec.getSpec().getFailurePolicy().setBackoff(new dev.gangway.api.v1alpha1.Backoff());
    spec.getSpec().getFailurePolicy().getBackoff().setInitialSeconds(1);
    TrainingJob created = create(spec);
    List<Pod> pods = awaitPods("hpl", 2);
    List<io.fabric8.kubernetes.api.model.Secret> secrets = secretsOf("hpl");
    assertThat(secrets).singleElement().satisfies(s -> {
      assertThat(s.getMetadata().getName()).isEqualTo(JobNames.sshSecretName(created));
      assertThat(s.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
      assertThat(s.getImmutable()).isTrue();
      assertThat(s.getData()).containsKeys("id_ed25519", "authorized_keys", "ssh_host_ed25519_key", "known_hosts", "ssh_config", "sshd_config");
    });
    String secret = secrets.get(0).getMetadata().getName();
    assertThat(pods).allSatisfy(p -> assertThat(p.getSpec().getVolumes()).anySatisfy(v ->
        assertThat(v.getSecret()).isNotNull().extracting(x -> x.getSecretName()).isEqualTo(secret)));

    pods.forEach(p -> setStatus(p, TestJobs.running("n")));
    awaitPhase("hpl", JobPhase.Running);
    setStatus(pods.get(1), TestJobs.exited(1, "Error", "ORTE has lost communication"));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(podNames("hpl")).containsExactlyInAnyOrder("hpl-r0-a2", "hpl-r1-a2"));
    assertThat(client.pods().inNamespace(NS).withName("hpl-r0-a2").get().getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getSecret()).isNotNull().extracting(x -> x.getSecretName()).isEqualTo(secret));
    assertThat(secretsOf("hpl")).singleElement().satisfies(s -> {
      assertThat(s.getData()).isEqualTo(secrets.get(0).getData());
      assertThat(s.getMetadata().getResourceVersion()).isEqualTo(secrets.get(0).getMetadata().getResourceVersion());
    });
  }

  @Test
  void anMpiJobThatMountsItsOwnSshSecretGetsNoneFromGangway() {
    nodes(2);
    TrainingJob spec = TestJobs.job("own", 2, 8);
    spec.getSpec().setFramework(dev.gangway.api.v1alpha1.Framework.MPI);
    spec.getSpec().getTemplate().getSpec().setVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("keys")
        .withNewSecret().withSecretName("team-keys").endSecret().build()));
    spec.getSpec().getTemplate().getSpec().getContainers().get(0).setVolumeMounts(List.of(
        new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("keys").withMountPath("/etc/gangway/ssh").build()));
    create(spec);
    assertThat(awaitPods("own", 2)).allSatisfy(p -> assertThat(p.getSpec().getVolumes()).filteredOn(v -> v.getSecret() != null)
        .singleElement().satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("team-keys")));
    assertThat(client.configMaps().inNamespace(NS).withName("own-mpi").get()).as("the hostfile still comes").isNotNull();
    assertThat(secretsOf("own")).isEmpty();
  }

  private static List<io.fabric8.kubernetes.api.model.Secret> secretsOf(String job) {
    return client.secrets().inNamespace(NS).withLabel(JobNames.LABEL_JOB, job).list().getItems();
  }

  @Test
  void aDeletedRankPodIsRecreatedWhileTheAttemptIsHealthy() {
    nodes(2);
    create(TestJobs.job("bert", 2, 1));
    List<Pod> pods = awaitPods("bert", 2);
    String uid = pods.stream().filter(p -> p.getMetadata().getName().equals("bert-r1-a1")).findFirst().orElseThrow().getMetadata().getUid();
    client.pods().inNamespace(NS).withName("bert-r1-a1").delete();
    // The gang had not run: the decision is void, and the gang is placed again and created again, pinned.
    await().untilAsserted(() -> assertThat(client.pods().inNamespace(NS).withName("bert-r1-a1").get()).isNotNull()
        .satisfies(p -> assertThat(p.getMetadata().getUid()).isNotEqualTo(uid))
        .satisfies(p -> assertThat(p.getMetadata().getAnnotations()).containsKey("gangway.dev/reserved-node")));
    await().untilAsserted(() -> assertThat(podNames("bert")).containsExactlyInAnyOrder("bert-r0-a1", "bert-r1-a1"));
  }

  @Test
  void suspendRemovesThePodsAndResumeRecreatesThem() {
    nodes(2);
    create(TestJobs.job("t5", 2, 8));
    awaitPods("t5", 2);
    patchSpec("t5", j -> j.getSpec().setSuspend(true));
    awaitPhase("t5", JobPhase.Suspended);
    await().untilAsserted(() -> assertThat(podNames("t5")).isEmpty());

    patchSpec("t5", j -> j.getSpec().setSuspend(false));
    awaitPods("t5", 2);
    assertThat(job("t5").getStatus().getPhase()).isEqualTo(JobPhase.Pending);
    await().untilAsserted(() -> assertThat(events("t5")).contains("Suspended", "Resumed"));
  }

  @Test
  void invalidSpecFailsWithAReasonCreatesNothingAndOtherJobsStillRun() {
    nodes(1);
    TrainingJob bad = TestJobs.job("bad", 2, 8);
    bad.getSpec().getTemplate().getSpec().getContainers().get(0)
        .setResources(new ResourceRequirementsBuilder().addToLimits("nvidia.com/gpu", new Quantity("2")).build());
    create(bad);
    topology();
    TrainingJob unknownLevel = TestJobs.job("nolevel", 2, 8);
    unknownLevel.getSpec().setTopology(new TopologySpec());
    unknownLevel.getSpec().getTopology().setRequired("galaxy");
    create(unknownLevel);
    create(TestJobs.job("good", 1, 8));

    TrainingJob failed = awaitPhase("bad", JobPhase.Failed);
    assertThat(JobConditions.find(failed.getStatus().getConditions(), "Failed").orElseThrow())
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("InvalidSpec"))
        .satisfies(c -> assertThat(c.getMessage()).contains("limits[nvidia.com/gpu] is 2 but spec.gpusPerReplica is 8"));
    assertThat(JobConditions.find(awaitPhase("nolevel", JobPhase.Failed).getStatus().getConditions(), "Failed").orElseThrow()
        .getMessage()).contains("level 'galaxy' is not defined in ClusterTopology 'default'");
    awaitPods("good", 1);
    assertThat(podNames("bad")).isEmpty();
    assertThat(podNames("nolevel")).isEmpty();
    await().untilAsserted(() -> assertThat(events("bad")).contains("InvalidSpec"));
  }

  @Test
  void aJobWaitsForItsClusterTopologyHoldingNothingAndStartsOnceTheTopologyIsCreated() {
    nodes(2);
    TrainingJob early = TestJobs.job("early", 2, 8);
    early.getSpec().setTopology(new TopologySpec());
    early.getSpec().getTopology().setRequired("rack");
    create(early);
    // Applied before the platform's ClusterTopology (one kubectl apply of a directory may do that): no level to resolve.
    // It waits (automation reads Failed as final), with no pod, instead of failing.
    await().untilAsserted(() -> assertThat(JobConditions.find(awaitPhase("early", JobPhase.Pending).getStatus().getConditions(), "Placed"))
        .get()
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("TopologyNotFound"))
        .satisfies(c -> assertThat(c.getMessage()).contains("no ClusterTopology")));
    assertThat(podNames("early")).isEmpty();

    topology();
    // The topology's arrival wakes the job at once (else the placement retry, seconds later): it is placed.
    awaitPods("early", 2);
    await().untilAsserted(() -> assertThat(events("early")).contains("Placed"));
  }

  @Test
  void ownedObjectsPointAtTheJobForGarbageCollection() {
    nodes(2);
    TrainingJob created = create(TestJobs.job("owned", 2, 8));
    awaitPods("owned", 2).forEach(p -> assertThat(p.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid())));
    assertThat(client.services().inNamespace(NS).withName("owned").get().getMetadata().getOwnerReferences().get(0).getController()).isTrue();
  }

  @Test
  void anOperatorRestartCreatesNoDuplicatesAndKeepsTheStatus() {
    String startTime = startRunning("restart", 4).getStatus().getStartTime();

    operator.stop();
    operator = startNewOperator();
    patchSpec("restart", j -> j.getMetadata().getLabels().put("touched", "yes"));

    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(podNames("restart")).hasSize(4));
    assertThat(job("restart").getStatus().getPhase()).isEqualTo(JobPhase.Running);
    assertThat(job("restart").getStatus().getStartTime()).isEqualTo(startTime);
  }

  @Test
  void reconcilingAnUnchangedJobWritesNoStatus() {
    String version = startRunning("quiet", 1).getMetadata().getResourceVersion();
    patchSpec("quiet", j -> j.getMetadata().getLabels().put("nudge", "1"));
    await().pollDelay(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(job("quiet").getMetadata().getLabels()).containsKey("nudge"));
    String afterNudge = job("quiet").getMetadata().getResourceVersion();
    await().during(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(job("quiet").getMetadata().getResourceVersion()).isEqualTo(afterNudge));
    assertThat(afterNudge).isNotEqualTo(version);
  }

  @Test
  void aGangIsPlacedAllOrNothingInOneNvlinkDomainAndPinnedToItsNodes() {
    topology();
    for (int i = 0; i < 4; i++) {
      node("gpu-" + i, "rack-a", i < 2 ? "clique-1" : "clique-2", 8);
    }
    TrainingJob job = TestJobs.job("placed", 2, 8);
    job.getSpec().setTopology(new TopologySpec());
    job.getSpec().getTopology().setRequired("nvlink-domain");
    create(job);

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(awaitPods("placed", 2))
        .allSatisfy(p -> assertThat(p.getSpec().getSchedulingGates()).isEmpty()));
    List<Pod> pods = awaitPods("placed", 2);
    List<String> nodes = pods.stream().map(p -> p.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms().get(0).getMatchFields().get(0).getValues().get(0)).sorted().toList();
    assertThat(nodes).containsExactly("gpu-0", "gpu-1");
    assertThat(pods).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).as("Gangway never binds").isNull());
    assertThat(pods).allSatisfy(p -> assertThat(p.getMetadata().getAnnotations()).containsKey("gangway.dev/reserved-node"));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      TrainingJob seen = job("placed");
      assertThat(JobConditions.isTrue(seen.getStatus().getConditions(), "Placed")).isTrue();
      assertThat(seen.getStatus().getPlacement().getDomainsSpanned()).containsEntry("nvlink-domain", 1).containsEntry("host", 2);
      assertThat(seen.getStatus().getPlacement().getPredictedAllReduceMillis()).isPositive();
    });
    await().untilAsserted(() -> assertThat(events("placed")).contains("Placed"));
    assertThat(DEPS.meters().find("gangway.placement.decision").tag("outcome", "placed").timer()).isNotNull()
        .satisfies(t -> assertThat(t.count()).isPositive());
    assertThat(DEPS.meters().find("gangway.placement.allreduce.vs.bound").summary().max()).isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void aRankThatDoesNotBindWakesTheJobByItselfAndTheNextDecisionAvoidsItsNode() {
    operator.stop();
    operator = startNewOperator(DEPS.withBindTimeout(Duration.ofSeconds(2)));
    for (int i = 0; i < 3; i++) {
      node("gpu-" + i, "rack-a", "clique-1", 8);
    }
    create(TestJobs.job("picky", 2, 8));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(awaitPods("picky", 2))
        .allSatisfy(p -> assertThat(p.getSpec().getSchedulingGates()).isEmpty()));
    List<Pod> pods = awaitPods("picky", 2);
    assertThat(pods).allSatisfy(p -> assertThat(p.getMetadata().getAnnotations()).containsKey(BindDeadlines.RELEASED_AT_ANNOTATION));
    Pod rank0 = pods.stream().filter(p -> GangPlacementStep.rankOf(p) == 0).findFirst().orElseThrow();
    Pod rank1 = pods.stream().filter(p -> GangPlacementStep.rankOf(p) == 1).findFirst().orElseThrow();
    String refused = pinnedNode(rank1);
    // Playing kube-scheduler: rank 0 binds; rank 1 cannot, for a constraint placement does not see. Then nothing
    // changes any more: only the job's own bind deadline can wake it.
    client.pods().inNamespace(NS).withName(rank0.getMetadata().getName()).edit(p -> {
      p.getSpec().setNodeName(pinnedNode(p));
      return p;
    });
    setStatus(rank1, TestJobs.pending("0/3 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 2 node(s) didn't "
        + "match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."));

    // The Placed condition moves on as soon as the gang is placed again, so read what stays: the avoided node and the Event.
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(job("picky").getStatus().getPlacement().getAvoidedNodes())
        .singleElement().satisfies(a -> {
          assertThat(a.getNode()).isEqualTo(refused);
          assertThat(a.getReason()).isEqualTo("BindTimeout");
          assertThat(a.getMessage()).contains("0/3 nodes are available: 1 node(s) didn't match pod anti-affinity rules");
        }));
    // Events follow the status write (the decision is persisted first).
    await().untilAsserted(() -> assertThat(events("picky")).contains("BindTimeout"));
    // The attempt's pods are created again and placed without the node that refused rank 1.
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      List<Pod> again = awaitPods("picky", 2);
      assertThat(again).allSatisfy(p -> {
        assertThat(p.getSpec().getSchedulingGates()).isEmpty();
        assertThat(p.getSpec().getNodeName()).isNull();
        assertThat(pinnedNode(p)).isNotEqualTo(refused);
      });
    });
  }

  @Test
  void aRankPreemptedBeforeTheGangRanIsNotPinnedAgainToItsNodeAndTheGangIsPlacedAgain() {
    for (int i = 0; i < 3; i++) {
      node("gpu-" + i, "rack-a", "clique-1", 8);
    }
    create(TestJobs.job("bumped", 2, 8));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(awaitPods("bumped", 2))
        .allSatisfy(p -> assertThat(p.getSpec().getSchedulingGates()).isEmpty()));
    Pod rank0 = awaitPods("bumped", 2).stream().filter(p -> GangPlacementStep.rankOf(p) == 0).findFirst().orElseThrow();
    String lostNode = pinnedNode(rank0);
    // Playing kube-scheduler: rank 0 binds, then is preempted by a higher-priority pod that now runs on its node.
    client.pods().inNamespace(NS).withName(rank0.getMetadata().getName()).edit(p -> {
      p.getSpec().setNodeName(lostNode);
      return p;
    });
    client.resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("urgent").withNamespace(NS).endMetadata()
        .withNewSpec().withNodeName(lostNode).addNewContainer().withName("main").withImage("busybox").withNewResources()
        .addToLimits("nvidia.com/gpu", new Quantity("8")).addToRequests("nvidia.com/gpu", new Quantity("8")).endResources().endContainer()
        .endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
    client.pods().inNamespace(NS).withName(rank0.getMetadata().getName()).delete();

    await().untilAsserted(() -> assertThat(events("bumped")).contains(GangPlacementStep.RANK_LOST));
    // The gang is created and placed again, all or nothing, on the nodes that have room.
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(awaitPods("bumped", 2)).allSatisfy(p -> {
      assertThat(p.getSpec().getSchedulingGates()).isEmpty();
      assertThat(p.getSpec().getNodeName()).isNull();
      assertThat(pinnedNode(p)).isNotEqualTo(lostNode);
    }));
  }

  @Test
  void aLostNodeIsExcludedForAWhileTheJobSaysWhyItWaitsAndIsPlacedThereAgainOnceTheExclusionEnds() {
    node("gpu-0", "rack-a", "clique-1", 8);
    node("gpu-1", "rack-a", "clique-1", 8);
    TrainingJob spec = TestJobs.job("longrun", 2, 8);
    spec.getSpec().setFailurePolicy(new dev.gangway.api.v1alpha1.FailurePolicy());
    spec.getSpec().getFailurePolicy().setNodeExclusionSeconds(15);
    spec.getSpec().getFailurePolicy().setBackoff(new dev.gangway.api.v1alpha1.Backoff());
    spec.getSpec().getFailurePolicy().getBackoff().setInitialSeconds(1);
    create(spec);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(awaitPods("longrun", 2))
        .allSatisfy(p -> assertThat(p.getSpec().getSchedulingGates()).isEmpty()));
    // Playing kube-scheduler and kubelet: both ranks bind where Gangway pinned them and run.
    for (Pod p : awaitPods("longrun", 2)) {
      client.pods().inNamespace(NS).withName(p.getMetadata().getName()).edit(q -> {
        q.getSpec().setNodeName(pinnedNode(q));
        return q;
      });
      setStatus(p, TestJobs.running(pinnedNode(p)));
    }
    awaitPhase("longrun", JobPhase.Running);

    // gpu-1 is lost (its Node deleted), then comes back at once: the job still keeps off it for 15 s.
    client.nodes().withName("gpu-1").delete();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(job("longrun").getStatus().getNodeExclusions())
        .singleElement().satisfies(e -> {
          assertThat(e.getNode()).isEqualTo("gpu-1");
          assertThat(e.getCause()).isEqualTo("NodeLost");
          assertThat(e.getUntil()).isNotNull();
        }));
    assertThat(job("longrun").getStatus().getExcludedNodes()).containsExactly("gpu-1");
    node("gpu-1", "rack-a", "clique-1", 8);

    // Two ranks, and without gpu-1 the cluster has room for one: it says so instead of waiting in silence.
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      var placed = JobConditions.find(job("longrun").getStatus().getConditions(), "Placed").orElseThrow();
      assertThat(placed.getStatus()).isEqualTo("False");
      assertThat(placed.getReason()).isEqualTo(GangPlacementStep.EXCLUDED_NODES_LEAVE_NO_ROOM);
      assertThat(placed.getMessage()).contains("without the 1 node it keeps off now", "1 of them is excluded after failures of this job",
          "the first until " + job("longrun").getStatus().getNodeExclusions().get(0).getUntil());
    });
    await().untilAsserted(() -> assertThat(podNames("longrun")).as("no pod while the gang waits").isEmpty());

    // The exclusion ends: the job wakes by itself, drops it from its status and is placed on both nodes again.
    await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(pods("longrun")).hasSize(2).allSatisfy(p -> {
      assertThat(p.getSpec().getSchedulingGates()).isEmpty();
      assertThat(p.getMetadata().getLabels()).containsEntry(JobNames.LABEL_ATTEMPT, "2");
    }));
    assertThat(awaitPods("longrun", 2)).extracting(TrainingJobReconcilerTest::pinnedNode).containsExactlyInAnyOrder("gpu-0", "gpu-1");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(job("longrun").getStatus().getNodeExclusions()).isNull();
      assertThat(job("longrun").getStatus().getExcludedNodes()).isNull();
    });
  }

  /** Method and path of every request the mock server received since the last call (the operator's and the test's). */
  private static List<String> requests() throws InterruptedException {
    List<String> seen = new java.util.ArrayList<>();
    for (var r = server.takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS); r != null;
         r = server.takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      seen.add(r.getMethod() + " " + r.getPath());
    }
    return seen;
  }

  /** The writes among {@code requests} that touch the job's pods (creates, patches, updates, deletes). */
  private static List<String> podWrites(List<String> requests, String job) {
    return requests.stream().filter(r -> !r.startsWith("GET ")).filter(r -> r.contains("/pods/" + job + "-")
        || r.startsWith("POST /api/v1/namespaces/" + NS + "/pods")).toList();
  }

  @Test
  void eachRankIsOneWriteItsPodCreatedPinnedOnceTheDecisionIsPersisted() throws InterruptedException {
    nodes(4);
    requests();
    // As each pod appears, the stored status already names its node: the decision was persisted before the create.
    List<String> storedWhenCreated = new java.util.concurrent.CopyOnWriteArrayList<>();
    var watch = client.pods().inNamespace(NS).withLabel(JobNames.LABEL_JOB, "onewrite").watch(new io.fabric8.kubernetes.client.Watcher<Pod>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        if (action == Action.ADDED) {
          TrainingJob stored = job("onewrite");
          boolean placed = JobConditions.isTrue(stored.getStatus().getConditions(), "Placed") && stored.getStatus().getPlacement().getRanks()
              .stream().anyMatch(r -> r.getPod().equals(pod.getMetadata().getName()) && r.getNode().equals(pinnedNode(pod)));
          storedWhenCreated.add(pod.getMetadata().getName() + (placed ? " placed" : " NOT placed"));
        }
      }

      @Override
      public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
      }
    });
    create(TestJobs.job("onewrite", 3, 8));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(awaitPods("onewrite", 3)).allSatisfy(p -> {
      assertThat(p.getSpec().getSchedulingGates()).isEmpty();
      assertThat(p.getMetadata().getAnnotations()).containsKeys("gangway.dev/reserved-node", BindDeadlines.RELEASED_AT_ANNOTATION);
      assertThat(pinnedNode(p)).isEqualTo(p.getMetadata().getAnnotations().get("gangway.dev/reserved-node"));
    }));
    await().untilAsserted(() -> assertThat(storedWhenCreated).hasSize(3));
    watch.close();
    assertThat(storedWhenCreated).containsExactlyInAnyOrder("onewrite-r0-a1 placed", "onewrite-r1-a1 placed", "onewrite-r2-a1 placed");
    // Quiet for a second: every write the start needed is done.
    await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
    List<String> seen = requests();
    assertThat(podWrites(seen, "onewrite")).as("one write per rank: %s", seen).hasSize(3)
        .allMatch(w -> w.equals("POST /api/v1/namespaces/" + NS + "/pods"));
    TrainingJob placed = job("onewrite");
    assertThat(placed.getStatus().getPlacement().getRanks()).extracting(r -> r.getPod())
        .containsExactly("onewrite-r0-a1", "onewrite-r1-a1", "onewrite-r2-a1");
    for (Pod pod : awaitPods("onewrite", 3)) {
      assertThat(placed.getStatus().getPlacement().getRanks()).anySatisfy(r -> {
        assertThat(r.getPod()).isEqualTo(pod.getMetadata().getName());
        assertThat(r.getNode()).isEqualTo(pinnedNode(pod));
      });
    }
  }

  @Test
  void ranksComingUpOneByOneAreReportedAtMostOnceASecondAndTheLastCountIsWrittenWithoutAnotherEvent() throws InterruptedException {
    nodes(4);
    create(TestJobs.job("pace", 4, 8));
    List<Pod> pods = awaitPods("pace", 4);
    awaitPhase("pace", JobPhase.Pending);
    await().pollDelay(Duration.ofMillis(1200)).until(() -> true);
    // Every stored status from here on, with when the watch brought it.
    List<long[]> stored = new java.util.concurrent.CopyOnWriteArrayList<>();
    var watch = client.resources(TrainingJob.class).inNamespace(NS).withName("pace").watch(new io.fabric8.kubernetes.client.Watcher<>() {
      @Override
      public void eventReceived(Action action, TrainingJob job) {
        if (action == Action.MODIFIED) {
          Integer ready = job.getStatus() == null ? null : job.getStatus().getReadyRanks();
          stored.add(new long[] {System.nanoTime(), ready == null ? -1 : ready});
        }
      }

      @Override
      public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
      }
    });
    for (int rank = 0; rank < 3; rank++) {
      setStatus(pods.get(rank), TestJobs.running("node-" + rank));
      Thread.sleep(150);
    }
    // The last count comes with no further pod event: the paced write wakes the job itself.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(job("pace").getStatus().getReadyRanks()).isEqualTo(3));
    watch.close();
    assertThat(job("pace").getStatus().getPhase()).isEqualTo(JobPhase.Pending);
    List<long[]> writes = List.copyOf(stored);
    assertThat(writes).as("ready counts stored: %s", writes.stream().map(w -> w[1]).toList()).hasSizeLessThanOrEqualTo(2);
    if (writes.size() == 2) {
      assertThat(Duration.ofNanos(writes.get(1)[0] - writes.get(0)[0])).as("the second progress write waits for the interval")
          .isGreaterThan(Duration.ofMillis(700));
    }
    // The gang running whole is a phase change: written at once.
    setStatus(pods.get(3), TestJobs.running("node-3"));
    assertThat(awaitPhase("pace", JobPhase.Running).getStatus().getReady()).isEqualTo("4/4");
  }

  /** The operator stops; the test writes what the stopped one had persisted (and created) before its crash; a new one starts. */
  private TrainingJob crashedAfter(String name, List<String> nodesDecided) {
    operator.stop();
    TrainingJob created = create(TestJobs.job(name, nodesDecided.size(), 8));
    var status = new dev.gangway.api.v1alpha1.TrainingJobStatus();
    status.setPhase(JobPhase.Pending);
    status.setAttempt(1);
    status.setConditions(new java.util.ArrayList<>(List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType("Placed")
        .withStatus("True").withReason("GangPlaced").withMessage("decided before the crash")
        .withLastTransitionTime(java.time.Instant.now().toString()).build())));
    var placement = new dev.gangway.api.v1alpha1.PlacementStatus();
    for (int r = 0; r < nodesDecided.size(); r++) {
      placement.getRanks().add(new dev.gangway.api.v1alpha1.RankPlacement(r, nodesDecided.get(r), JobNames.podName(name, r, 1)));
    }
    placement.setPlacedTime(java.time.Instant.now().toString());
    status.setPlacement(placement);
    created.setStatus(status);
    return client.resource(created).updateStatus();
  }

  /** A pod of {@code job} bound and running on {@code node}, holding all its 8 GPUs. */
  private static void occupied(String node) {
    client.resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("other-on-" + node).withNamespace(NS)
        .endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("busybox").withNewResources()
        .addToLimits("nvidia.com/gpu", new Quantity("8")).addToRequests("nvidia.com/gpu", new Quantity("8")).endResources().endContainer()
        .endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
  }

  @Test
  void aCrashBetweenTheStatusWriteAndTheCreatesIsDecidedAgainAgainstTheClusterAsItIsNow() {
    nodes(3);
    crashedAfter("resumed", List.of("gpu-0", "gpu-1"));
    // Meanwhile someone else took gpu-0: the persisted decision no longer fits.
    occupied("gpu-0");
    operator = startNewOperator();

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(awaitPods("resumed", 2)).allSatisfy(p -> {
      assertThat(p.getSpec().getSchedulingGates()).isEmpty();
      assertThat(pinnedNode(p)).isNotEqualTo("gpu-0");
    }));
    assertThat(awaitPods("resumed", 2)).extracting(TrainingJobReconcilerTest::pinnedNode).doesNotHaveDuplicates();
    await().untilAsserted(() -> assertThat(job("resumed").getStatus().getPlacement().getRanks()).extracting(r -> r.getNode())
        .doesNotContain("gpu-0"));
  }

  @Test
  void aCrashAmongTheCreatesVoidsTheHalfWrittenDecisionAndPlacesTheGangAgain() throws InterruptedException {
    nodes(3);
    crashedAfter("halfway", List.of("gpu-0", "gpu-1"));
    TrainingJob job = job("halfway");
    // Rank 0's pod was created, pinned to gpu-0, before the crash; rank 1's was not.
    Pod rank0 = dev.gangway.act.GangPodWriter.pinned(dev.gangway.act.RankPodBuilder.build(job, 0, 1, null),
        new dev.gangway.decide.PinnedRank(0, "gpu-0"), java.time.Instant.now());
    String firstUid = client.resource(rank0).create().getMetadata().getUid();
    requests();
    operator = startNewOperator();

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(events("halfway")).contains(GangPlacementStep.RANK_LOST));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      List<Pod> pods = awaitPods("halfway", 2);
      assertThat(pods).allSatisfy(p -> assertThat(p.getMetadata().getAnnotations()).containsKey("gangway.dev/reserved-node"));
      assertThat(pods).noneSatisfy(p -> assertThat(p.getMetadata().getUid()).isEqualTo(firstUid));
    });
    assertThat(awaitPods("halfway", 2)).extracting(TrainingJobReconcilerTest::pinnedNode).doesNotHaveDuplicates();
  }

  @Test
  void aCrashAfterTheCreatesWritesNothingMoreToThePods() throws InterruptedException {
    nodes(3);
    crashedAfter("written", List.of("gpu-0", "gpu-1"));
    TrainingJob job = job("written");
    for (int r = 0; r < 2; r++) {
      client.resource(dev.gangway.act.GangPodWriter.pinned(dev.gangway.act.RankPodBuilder.build(job, r, 1, null),
          new dev.gangway.decide.PinnedRank(r, "gpu-" + r), java.time.Instant.now())).create();
    }
    requests();
    operator = startNewOperator();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(job("written").getStatus().getPlacement().getRanks())
        .extracting(r -> r.getNode()).containsExactly("gpu-0", "gpu-1"));
    await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
    assertThat(podWrites(requests(), "written")).as("the pods carry the decision already").isEmpty();
    assertThat(awaitPods("written", 2)).extracting(TrainingJobReconcilerTest::pinnedNode).containsExactlyInAnyOrder("gpu-0", "gpu-1");
  }

  private static String pinnedNode(Pod pod) {
    return pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()
        .get(0).getMatchFields().get(0).getValues().get(0);
  }

  @Test
  void aGangThatCanNeverFitIsUnschedulableAtOnceCreatesNoPodAndALaterJobRuns() {
    topology();
    node("gpu-0", "rack-a", "clique-1", 8);
    node("gpu-1", "rack-a", "clique-2", 8);
    TrainingJob job = TestJobs.job("toobig", 2, 8);
    job.getSpec().setTopology(new TopologySpec());
    job.getSpec().getTopology().setRequired("nvlink-domain");
    create(job);

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      var found = JobConditions.find(job("toobig").getStatus().getConditions(), "Placed");
      assertThat(found).isPresent();
      var placed = found.get();
      assertThat(placed.getStatus()).isEqualTo("False");
      assertThat(placed.getReason()).isEqualTo("Unschedulable");
      assertThat(placed.getMessage()).isEqualTo("needs 2 ranks x 8 GPUs within one nvlink-domain; the largest nvlink-domain (clique-1)"
          + " has 1 node x 8 GPUs = 8 GPUs this job may use (room for 1 such ranks)");
    });
    assertThat(podNames("toobig")).as("pods of a gang no empty cluster could hold").isEmpty();

    // Created later, at the same priority: it is not queued behind the job that can never run.
    create(TestJobs.job("later", 2, 8));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(awaitPods("later", 2))
        .allSatisfy(p -> assertThat(p.getSpec().getSchedulingGates()).isEmpty()));
    awaitPods("later", 2).forEach(p -> setStatus(p, TestJobs.running(GangPlacementStep.reservedNode(p))));
    awaitPhase("later", JobPhase.Running);
    assertThat(JobConditions.find(job("toobig").getStatus().getConditions(), "Placed").orElseThrow().getReason())
        .isEqualTo("Unschedulable");
    assertThat(podNames("toobig")).isEmpty();
  }

  @Test
  void aGangItsNamespacesQuotaCannotAdmitWholeWaitsCreatingNothingAndStartsWhenTheQuotaIsRaised() {
    nodes(4);
    // Room for one 2 x 8-GPU gang; the quota admission would refuse the second gang's ranks, so none is created.
    client.resourceQuotas().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder().withNewMetadata()
        .withName("gpus").endMetadata().withNewSpec().addToHard("requests.nvidia.com/gpu", new Quantity("16")).endSpec().build()).create();
    create(TestJobs.job("first", 2, 8));
    create(TestJobs.job("second", 2, 8));

    // Both judged at once against the same (unused) quota: the check and the reservation are one step, so one waits.
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
        List.of(podNames("first").size(), podNames("second").size())).containsExactlyInAnyOrder(2, 0));
    String waiting = podNames("first").isEmpty() ? "first" : "second";
    String running = waiting.equals("first") ? "second" : "first";
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(placed(waiting)).hasValueSatisfying(placed -> {
      assertThat(placed.getReason()).isEqualTo("QuotaExceeded");
      assertThat(placed.getMessage()).contains("2 rank pods need requests.nvidia.com/gpu 16 (8 each); ResourceQuota 'gpus' in namespace "
          + NS + " allows 16");
    }));
    assertThat(job(waiting).getStatus().getPhase()).isEqualTo(JobPhase.Pending);
    // The mock server counts nothing, so play the quota controller: the running gang's pods are counted.
    client.resourceQuotas().inNamespace(NS).withName("gpus").editStatus(q -> new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder(q)
        .withNewStatus().addToHard("requests.nvidia.com/gpu", new Quantity("16")).addToUsed("requests.nvidia.com/gpu", new Quantity("16"))
        .endStatus().build());
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(podNames(waiting)).isEmpty());
    assertThat(podNames(running)).hasSize(2);

    // Raising the quota wakes the waiting job (not only its retry): it is placed whole.
    client.resourceQuotas().inNamespace(NS).withName("gpus").edit(q -> new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder(q)
        .editSpec().addToHard("requests.nvidia.com/gpu", new Quantity("32")).endSpec().build());
    awaitPods(waiting, 2);
  }

  @Test
  void aJobNamingAPriorityClassThatDoesNotExistWaitsForItCreatingNothingAndStartsOnceItExists() {
    node("gpu-0", "rack-a", "clique-1", 8);
    node("gpu-1", "rack-a", "clique-2", 8);
    TrainingJob job = TestJobs.job("urgent", 2, 8);
    job.getSpec().getTemplate().getSpec().setPriorityClassName("urgent-training");
    create(job);

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(placed("urgent")).hasValueSatisfying(placed -> {
      assertThat(placed.getStatus()).isEqualTo("False");
      assertThat(placed.getReason()).isEqualTo("PriorityClassNotFound");
      assertThat(placed.getMessage()).contains("PriorityClass \"urgent-training\", which does not exist")
          .contains("kubectl create priorityclass urgent-training");
    }));
    // It holds no place in the queue: a later job of the same size runs on the nodes it would have taken.
    create(TestJobs.job("other", 2, 8));
    awaitPods("other", 2).forEach(p -> setStatus(p, TestJobs.running(GangPlacementStep.reservedNode(p))));
    awaitPhase("other", JobPhase.Running);
    assertThat(podNames("urgent")).as("no pod the API server would refuse is created").isEmpty();
    assertThat(client.services().inNamespace(NS).list().getItems()).extracting(s -> s.getMetadata().getName()).doesNotContain("urgent");
    assertThat(job("urgent").getStatus().getConditions()).noneMatch(c -> "ReconcileError".equals(c.getType()) && "True".equals(c.getStatus()));

    client.resource(new io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder().withNewMetadata()
        .withName("urgent-training").endMetadata().withValue(1000).build()).create();
    node("gpu-2", "rack-a", "clique-3", 8);
    node("gpu-3", "rack-a", "clique-4", 8);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(awaitPods("urgent", 2)).allSatisfy(p ->
        assertThat(p.getSpec().getPriorityClassName()).isEqualTo("urgent-training")));
  }

  @Test
  void aMillionRankJobIsUnschedulableCreatesNothingAndGrowingTheClusterStartsASmallerOne() {
    node("gpu-0", "rack-a", "clique-1", 8);
    create(TestJobs.job("million", 1_000_000, 8));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(placed("million")).hasValueSatisfying(placed -> {
      assertThat(placed.getReason()).isEqualTo("Unschedulable");
      assertThat(placed.getMessage()).startsWith("needs 1000000 ranks x 8 GPUs; the whole cluster has 1 node x 8 GPUs = 8 GPUs");
    }));
    assertThat(podNames("million")).isEmpty();
    assertThat(client.services().inNamespace(NS).list().getItems()).extracting(s -> s.getMetadata().getName()).doesNotContain("million");
    // Ranks that ask for no GPU, CPU or memory would stack without limit in placement's eyes: the nodes' pod slots bound them.
    create(TestJobs.job("no-gpus", Integer.MAX_VALUE, 0));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(placed("no-gpus")).hasValueSatisfying(placed -> {
      assertThat(placed.getReason()).isEqualTo("Unschedulable");
      assertThat(placed.getMessage()).isEqualTo("needs 2147483647 rank pods; the cluster's nodes admit 110 pods in all (status.allocatable.pods)");
    }));
    assertThat(podNames("no-gpus")).isEmpty();

    // The check is not a one-off verdict: a job that could not fit on the cluster of its first reconcile starts once it can.
    create(TestJobs.job("two", 2, 8));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(placed("two"))
        .hasValueSatisfying(placed -> assertThat(placed.getReason()).isEqualTo("Unschedulable")));
    assertThat(podNames("two")).isEmpty();
    node("gpu-1", "rack-a", "clique-1", 8);
    assertThat(awaitPods("two", 2)).hasSize(2);
  }

  @Test
  void aLaterSmallJobDoesNotTakeTheNodeTheWaitingHeadNeedsAndTheHeadStartsWhenItsDomainFrees() {
    fillerAndAWaitingHead();

    // One node is free, but the head (first in the queue) needs it: the small job must not take it.
    create(TestJobs.job("small", 1, 8));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      var found = JobConditions.find(job("small").getStatus().getConditions(), "Placed");
      assertThat(found).isPresent();
      assertThat(found.get().getReason()).isEqualTo("QueuedBehind");
      assertThat(found.get().getMessage()).startsWith("team-a/head is first in the queue").contains("16 GPUs on 2 nodes");
    });
    assertThat(podNames("small")).as("no pod while it waits").isEmpty();

    awaitPods("filler", 1).forEach(p -> setStatus(p, TestJobs.exited(0, "Completed", null)));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(awaitPods("head", 2))
        .allSatisfy(p -> assertThat(p.getSpec().getSchedulingGates()).isEmpty()));
    assertThat(podNames("small")).isEmpty();
  }

  /** Two nodes of one NVLink domain, a 1-rank filler running on one, and a 2-rank head needing both, waiting. */
  private void fillerAndAWaitingHead() {
    topology();
    node("gpu-0", "rack-a", "clique-1", 8);
    node("gpu-1", "rack-a", "clique-1", 8);
    create(TestJobs.job("filler", 1, 8));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(awaitPods("filler", 1))
        .allSatisfy(p -> assertThat(p.getSpec().getSchedulingGates()).isEmpty()));
    createWaitingHead();
  }

  /** "head": 2 ranks × 8 GPUs that must share an NVLink domain; returns once it waits to be placed. */
  private void createWaitingHead() {
    TrainingJob head = TestJobs.job("head", 2, 8);
    head.getSpec().setTopology(new TopologySpec());
    head.getSpec().getTopology().setRequired("nvlink-domain");
    create(head);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(placed("head")).get()
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False")));
  }

  @Test
  void onAPlatformThatLetsGangsPassAWaitingHeadASmallJobTakesTheFreeNodeAndTheHeadKeepsWaiting() {
    operator.stop();
    // The documented hold-out for a first placement stays on: the head does not fit, so it must not hold through it.
    operator = startNewOperator(DEPS.withPlacementDefaults(new PlacementDefaults(PlacementDefaults.STANDARD.waitForTighter(),
        Duration.ofHours(1))));
    fillerAndAWaitingHead();

    // The head has waited less than the platform's hour: it holds nothing yet, so the small job starts on the free node.
    create(TestJobs.job("small", 1, 8));
    assertThat(awaitPods("small", 1)).extracting(GangPlacementStep::reservedNode).containsExactly(
        "gpu-0".equals(GangPlacementStep.reservedNode(awaitPods("filler", 1).get(0))) ? "gpu-1" : "gpu-0");
    assertThat(placed("head")).get().satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      // Its researcher is told why smaller jobs start first, and until when.
      assertThat(c.getMessage()).contains("gangs behind it may start on the capacity it waits for (the platform's"
          + " placement.headHoldsAfterSeconds); from then on it holds that capacity against them");
    });
    assertThat(podNames("head")).isEmpty();
  }

  @Test
  void freedCapacityWakesTheWaitingGangAndAWakeThatCannotPlaceItWakesNobodyAgain() {
    topology();
    node("gpu-0", "rack-a", "clique-1", 8);
    node("gpu-1", "rack-a", "clique-1", 8);
    node("gpu-2", "rack-a", "clique-2", 8);
    occupied("gpu-0");
    occupied("gpu-2");
    createWaitingHead();
    double before = wakeups();

    // 16 GPUs free, enough by count, but not two in one NVLink domain: the head is woken, decides, and still waits.
    setStatus(client.pods().inNamespace(NS).withName("other-on-gpu-2").get(), TestJobs.exited(0, "Completed", null));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(wakeups()).isEqualTo(before + 1));
    // Its decision frees nothing, so it wakes nobody, itself included: no second wake while it waits.
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(wakeups()).isEqualTo(before + 1));
    assertThat(podNames("head")).as("no pod while it cannot be placed").isEmpty();

    // gpu-0 freed: clique-1 now holds the head, which is woken and placed there.
    setStatus(client.pods().inNamespace(NS).withName("other-on-gpu-0").get(), TestJobs.exited(0, "Completed", null));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(wakeups()).isEqualTo(before + 2));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(awaitPods("head", 2))
        .extracting(GangPlacementStep::reservedNode).containsExactlyInAnyOrder("gpu-0", "gpu-1"));
  }

  /** Waiting gangs woken by freed capacity so far (the registry is shared by every test of this class). */
  private static double wakeups() {
    var counter = DEPS.meters().find("gangway.placement.wakeups").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aFatalHealthSignalTaintsAndCordonsTheNodeAndClearingItUndoesBoth() {
    node("sick-gpu", "rack-a", "clique-1", 8);
    health("sick-gpu", dev.gangway.health.NodeHealthSignal.Severity.Fatal, "XID 79");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(taints("sick-gpu")).anySatisfy(t -> {
        assertThat(t.getKey()).isEqualTo("gangway.dev/unhealthy");
        assertThat(t.getValue()).isEqualTo("XID-79");
        assertThat(t.getEffect()).isEqualTo("NoSchedule");
      });
      assertThat(client.nodes().withName("sick-gpu").get().getSpec().getUnschedulable()).isTrue();
      assertThat(client.nodes().withName("sick-gpu").get().getMetadata().getAnnotations()).containsEntry(dev.gangway.health.NodeHealthRegistry.CORDONED_BY_GANGWAY, "XID-79");
    });
    health("sick-gpu", dev.gangway.health.NodeHealthSignal.Severity.Cleared, "repaired");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(taints("sick-gpu")).noneMatch(t -> t.getKey().equals("gangway.dev/unhealthy"));
      assertThat(client.nodes().withName("sick-gpu").get().getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
    });
  }

  @Test
  void aNodeSomeoneElseCordonedStaysCordonedWhenItsHealthIsRestored() {
    node("drained-gpu", "rack-a", "clique-1", 8);
    client.nodes().withName("drained-gpu").edit(n -> {
      n.setSpec(new io.fabric8.kubernetes.api.model.NodeSpec());
      n.getSpec().setUnschedulable(true);
      return n;
    });
    health("drained-gpu", dev.gangway.health.NodeHealthSignal.Severity.Fatal, "XID 48");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(taints("drained-gpu")).isNotEmpty());
    health("drained-gpu", dev.gangway.health.NodeHealthSignal.Severity.Cleared, "repaired");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(taints("drained-gpu")).isEmpty());
    assertThat(client.nodes().withName("drained-gpu").get().getSpec().getUnschedulable()).isTrue();
  }

  @Test
  void aNodeWhereThreeJobsFailedCarriesItsFlagAndAPersonUncordoningItLiftsTheFlag() {
    nodes(4);
    create(TestJobs.job("flaky", 1, 8));
    Pod rank = awaitPods("flaky", 1).get(0);
    String node = GangPlacementStep.reservedNode(rank);
    // Two other jobs failed there within the window; this job's crash is the third (the threshold).
    java.time.Instant now = java.time.Instant.now();
    for (String other : List.of("uid-other-1", "uid-other-2")) {
      DEPS.badNodes().record(new dev.gangway.recovery.FailureClassifier(Duration.ofSeconds(60)).classify(new dev.gangway.recovery.Failure(
          0, "p", dev.gangway.recovery.NodeStatus.ready(node), 1, "Error", java.util.Set.of(), now, null), List.of(), now), other);
    }
    // Playing kube-scheduler and the kubelet: bound there, then the program crashes.
    rank = client.pods().inNamespace(NS).withName(rank.getMetadata().getName()).edit(p -> {
      p.getSpec().setNodeName(node);
      return p;
    });
    setStatus(rank, TestJobs.exited(1, "Error", "segfault"));

    // The flag is on the node, with the cordon and taint the platform allowed, in one write.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      var n = client.nodes().withName(node).get();
      assertThat(n.getMetadata().getLabels()).containsEntry(dev.gangway.recovery.NodeFlagChange.FLAGGED, "RepeatedFailures");
      assertThat(n.getMetadata().getAnnotations()).containsEntry(dev.gangway.health.NodeHealthRegistry.CORDONED_BY_GANGWAY, "RepeatedFailures");
      assertThat(n.getSpec().getUnschedulable()).isTrue();
    });
    assertThat(DEPS.badNodes().isFlagged(node)).isTrue();

    // A person uncordons it, as for any cordon: the flag is lifted, and what Gangway left on the node removed.
    client.nodes().withName(node).edit(n -> {
      n.getSpec().setUnschedulable(false);
      return n;
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      var n = client.nodes().withName(node).get();
      assertThat(n.getMetadata().getLabels()).doesNotContainKey(dev.gangway.recovery.NodeFlagChange.FLAGGED);
      assertThat(n.getMetadata().getAnnotations()).doesNotContainKey(dev.gangway.health.NodeHealthRegistry.CORDONED_BY_GANGWAY);
      assertThat(taints(node)).noneMatch(t -> t.getKey().equals("gangway.dev/unhealthy"));
      assertThat(DEPS.badNodes().isFlagged(node)).isFalse();
      assertThat(client.v1().events().inNamespace("default").list().getItems())
          .anyMatch(e -> node.equals(e.getInvolvedObject().getName()) && "GangwayNodeFlagLifted".equals(e.getReason()));
    });
  }

  @Test
  void aFlagKeptOnANodeIsRestoredAndRemovingItsLabelLiftsIt() {
    // What a previous leader left: the label (marking off, so nothing else).
    node("kept-flag-gpu", "rack-k", "clique-k", 8);
    client.nodes().withName("kept-flag-gpu").edit(n -> {
      n.getMetadata().getLabels().put(dev.gangway.recovery.NodeFlagChange.FLAGGED, "RepeatedFailures");
      return n;
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(DEPS.badNodes().isFlagged("kept-flag-gpu")).isTrue());
    client.nodes().withName("kept-flag-gpu").edit(n -> {
      n.getMetadata().getLabels().remove(dev.gangway.recovery.NodeFlagChange.FLAGGED);
      return n;
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(DEPS.badNodes().isFlagged("kept-flag-gpu")).isFalse());
  }

  private static void health(String node, dev.gangway.health.NodeHealthSignal.Severity severity, String reason) {
    DEPS.health().record(new dev.gangway.health.NodeHealthSignal(node, severity, reason, java.time.Instant.now()), java.time.Instant.now());
  }

  private static List<io.fabric8.kubernetes.api.model.Taint> taints(String node) {
    var spec = client.nodes().withName(node).get().getSpec();
    return spec == null || spec.getTaints() == null ? List.of() : spec.getTaints();
  }

  private static void topology() {
    ClusterTopology t = new ClusterTopology();
    t.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("default").build());
    t.getSpec().getLevels().add(new TopologyLevel("rack", "example.com/rack", 50));
    t.getSpec().getLevels().add(new TopologyLevel("nvlink-domain", "nvidia.com/gpu.clique", 900));
    t.getSpec().getLevels().add(new TopologyLevel("host", "kubernetes.io/hostname", 900));
    client.resource(t).createOr(c -> c.update());
  }

  /** {@code count} nodes of 8 GPUs in one rack and NVLink domain. */
  private static void nodes(int count) {
    for (int i = 0; i < count; i++) {
      node("gpu-" + i, "rack-a", "clique-1", 8);
    }
  }

  private static void node(String name, String rack, String clique, int gpus) {
    client.resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName(name)
        .addToLabels("example.com/rack", rack).addToLabels("nvidia.com/gpu.clique", clique).addToLabels("kubernetes.io/hostname", name)
        .endMetadata().withNewStatus()
        .addToAllocatable("nvidia.com/gpu", new Quantity(Integer.toString(gpus))).addToAllocatable("cpu", new Quantity("64"))
        .addToAllocatable("memory", new Quantity("512Gi"))
        .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).createOr(c -> c.update());
  }

  // --- helpers: what a user or kubelet would do -------------------------------------------------

  private static TrainingJob create(TrainingJob job) {
    job.getMetadata().setUid(null);
    job.getMetadata().setNamespace(NS);
    job.getMetadata().setLabels(new java.util.HashMap<>());
    return client.resource(job).create();
  }

  /** The job's Placed condition, if it has a status with one yet. */
  private static java.util.Optional<io.fabric8.kubernetes.api.model.Condition> placed(String name) {
    TrainingJob job = job(name);
    return job.getStatus() == null ? java.util.Optional.empty() : JobConditions.find(job.getStatus().getConditions(), "Placed");
  }

  private static TrainingJob job(String name) {
    return client.resources(TrainingJob.class).inNamespace(NS).withName(name).get();
  }

  /** A user's edit: retried on a conflict, as kubectl does, since the operator writes the status meanwhile. */
  private static void patchSpec(String name, java.util.function.Consumer<TrainingJob> change) {
    retriedOnConflict(() -> client.resources(TrainingJob.class).inNamespace(NS).withName(name).edit(j -> {
      change.accept(j);
      return j;
    }));
  }

  /** A write based on a fresh read, read and written again (up to five times) when someone else wrote first. */
  private static void retriedOnConflict(Runnable write) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  private static TrainingJob awaitPhase(String name, JobPhase phase) {
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(job(name).getStatus()).isNotNull()
        .extracting(s -> s.getPhase()).isEqualTo(phase));
    return job(name);
  }

  private static List<Pod> awaitPods(String job, int count) {
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(podNames(job)).hasSize(count));
    return client.pods().inNamespace(NS).withLabel(JobNames.LABEL_JOB, job).list().getItems();
  }

  private static List<Pod> pods(String job) {
    return client.pods().inNamespace(NS).withLabel(JobNames.LABEL_JOB, job).list().getItems();
  }

  private static List<String> podNames(String job) {
    return client.pods().inNamespace(NS).withLabel(JobNames.LABEL_JOB, job).list().getItems().stream()
        .map(p -> p.getMetadata().getName()).sorted().toList();
  }

  /** As a kubelet writes it: retried on a conflict, since the operator may be writing the pod's placement meanwhile. */
  private static void setStatus(Pod pod, PodStatus status) {
    retriedOnConflict(() -> client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).editStatus(p -> {
      p.setStatus(status);
      return p;
    }));
  }

  private static List<String> events(String job) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> job.equals(e.getInvolvedObject().getName())).map(e -> e.getReason()).toList();
  }

}

package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gangway.e2e.TrainingClients.Torch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rendezvous contract judged by the real clients: the packaged operator creates a job's rank pods on
 * the real control plane; their environment, unchanged, is given to torchrun, torch.distributed, JAX and
 * Open MPI's mpirun and MPICH's mpiexec running as local processes (e2e/clients/run-ranks.sh: the ranks' DNS names resolve to
 * their own loopback address in a private network namespace). Each client must form the whole world and
 * all-reduce the ranks; again after a gang restart (attempt 2, the same names). MPI launchers reach the ranks over
 * real ssh to real sshd with the key Secret Gangway generated for the job, read back from the API server.
 */
@ExtendWith(E2eEnvironment.Extension.class)
class RendezvousClientsE2eTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** Open MPI refuses to run as root unless told; this machine's tests run as root. Not a rendezvous variable. */
  private static final Map<String, String> MPI_AS_ROOT = Map.of(
      "OMPI_ALLOW_RUN_AS_ROOT", "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1",
      "PRTE_ALLOW_RUN_AS_ROOT", "1", "PRTE_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
  private final LocalCluster cluster;
  private final E2eEnvironment env;
  private Kube kube;

  RendezvousClientsE2eTest(E2eEnvironment env) {
    this.cluster = env.cluster();
    this.env = env;
  }

  @BeforeEach
  void namespace() {
    kube = Kube.inFreshNamespace(cluster, "rdzv");
  }

  @AfterEach
  void freeTheCluster() {
    kube.deleteNamespace(WAIT);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Torch.class)
  void torchrunAndPlainTorchDistributedFormTheWorldFromTheInjectedEnvironment(Torch torch) {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.torchrun(torch));
    // 2 pods x 2 GPUs: torchrun starts 2 workers per pod from PET_NPROC_PER_NODE.
    startJob("torch", "pytorch", 2, 2);
    for (int attempt = 1; attempt <= 2; attempt++) {
      LocalRanks ranks = LocalRanks.of(podsOf("torch", attempt), kube);
      assertThat(ranks.env(1)).containsEntry("GANGWAY_ATTEMPT", Integer.toString(attempt))
          .containsEntry("PET_MASTER_ADDR", "torch-0.torch." + kube.namespace() + ".svc");

      LocalRanks.Run torchrun = ranks.run(TORCHRUN_ON_PYTHON_311, false,
          List.of(clients.torchrun(torch).toString(), TrainingClients.script("allreduce_torch.py").toString()));
      assertWorld(torchrun, "torch", 4);

      LocalRanks.Run plain = ranks.run(Map.of(), false,
          List.of(clients.torchPython(torch).toString(), TrainingClients.script("allreduce_torch.py").toString()));
      assertWorld(plain, "torch", 2);
      if (attempt == 1) {
        restart("torch");
      }
    }
  }

  /**
   * spec.failurePolicy.inPlaceRestarts: with the injected environment alone, real torchrun agents restart the whole
   * gang's workers in place when one worker crashes (c10d rendezvous on rank 0's agent) and the world forms again,
   * while the job stays in attempt 1 with the same pods: nothing for the control plane to do. Prints the time from the
   * crash to the world formed again. On a pod network, as pods are: torchrun names each node by its FQDN, which a
   * loopback address would turn into "localhost". On torch 2.15 the restarted workers connect only because Gangway
   * gives each round a store of its own (TORCH_DISABLE_SHARE_RDZV_TCP_STORE, see RendezvousEnvironment). Rank 0's
   * checkpoint report after the restart counts it (the highest TORCHELASTIC_RESTART_COUNT of the ranks: the agent whose
   * worker did not crash may keep its count at 0), and posted to the operator's intake as
   * the rank would (the harness relays it: these ranks have no route to the operator) it becomes the job's
   * status.inPlaceRestarts and a RestartedInPlace Event.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Torch.class)
  void torchrunRestartsTheWholeGangInPlaceKeepingThePods(Torch torch) {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.torchrun(torch));
    kube.apply(Manifests.trainingJob("inplace", 2, 2, Manifests.failurePolicy("inPlaceRestarts: 2", 1)));
    await("inplace Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("inplace")).as(kube.describe("inplace")).isEqualTo("Running"));
    List<String> podUids = podsOf("inplace", 1).stream().map(p -> p.path("metadata").path("uid").asText()).sorted().toList();
    LocalRanks ranks = onPodNetwork("inplace", 1);
    assertThat(ranks.env(1)).containsEntry("PET_RDZV_BACKEND", "c10d").containsEntry("PET_MAX_RESTARTS", "2")
        .containsEntry("PET_RDZV_ENDPOINT", "inplace-0.inplace." + kube.namespace() + ".svc:29500").doesNotContainKey("PET_NODE_RANK");

    Map<String, String> harness = new HashMap<>(TORCHRUN_ON_PYTHON_311);
    harness.put("CRASH_RANK", "3");
    LocalRanks.Run run = ranks.run(harness, false,
        List.of(clients.torchrun(torch).toString(), TrainingClients.script("crash_once_torch.py").toString()));

    assertThat(run.exitCode()).as(run.describe()).isZero();
    WorkerRounds rounds = WorkerRounds.of(run);
    assertThat(rounds.crashed()).as(run.describe()).isTrue();
    // Every worker formed the world of 4 twice: once before the crash, once after it, restarted in place.
    assertThat(run.reports()).as(run.describe()).hasSize(8).extracting(LocalRanks.Report::rank).containsOnly(0, 1, 2, 3);
    assertThat(rounds.reportsByRank()).as(run.describe()).hasSize(4).allSatisfy((rank, times) -> assertThat(times).hasSize(2));
    System.out.printf("[in-place] %s: torchrun restarted the gang's 4 workers in place: %.1f s from the crash to the world formed again%n",
        torch, rounds.formed(2) - rounds.crashedAt());

    JsonNode job = kube.get("tj", "inplace");
    assertThat(job.path("status").path("attempt").asInt()).as("no gang restart by Gangway").isEqualTo(1);
    assertThat(job.path("status").path("restarts").asInt()).isZero();
    assertThat(kube.pods("inplace").stream().map(p -> p.path("metadata").path("uid").asText()).sorted().toList())
        .as("the same pods").isEqualTo(podUids);

    String report = checkpointReport(run);
    assertThat(report).contains("\"inPlaceRestarts\": 1", "\"attempt\": 1");
    try {
      var stored = Intake.post(env.operator().url(), "/api/v1/checkpoints", report, Intake.rankToken(cluster, kube.namespace(), "inplace"));
      assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
    await("inplace's in-place restart in its status").atMost(WAIT).untilAsserted(() -> {
      JsonNode status = kube.get("tj", "inplace").path("status");
      assertThat(status.path("lastCheckpoint").path("inPlaceRestarts").asInt()).isEqualTo(1);
      assertThat(status.path("inPlaceRestarts").asInt()).as(kube.describe("inplace")).isEqualTo(1);
      assertThat(kube.kubectl("get", "events", "--field-selector", "involvedObject.name=inplace,reason=RestartedInPlace",
          "-o", "jsonpath={.items[*].message}")).contains("restarted in their pods 1 time (failurePolicy.inPlaceRestarts: 2)");
    });
    JsonNode status = kube.get("tj", "inplace").path("status");
    assertThat(status.path("attempt").asInt()).isEqualTo(1);
    // The training from the attempt's start (no checkpoint before the crash) to the restart was redone: lost work.
    assertThat(status.path("lastCheckpoint").path("inPlaceRestartTime").asText()).as(status.toString()).isNotEmpty();
    assertThat(status.path("goodput").path("lostGpuSeconds").path("lostWork").asLong()).as(status.path("goodput").toString()).isPositive();
  }

  /** The one checkpoint report rank 0's worker printed for the harness to send ("CHECKPOINT {json}"). */
  private static String checkpointReport(LocalRanks.Run run) {
    List<String> reports = run.output().values().stream().flatMap(String::lines).filter(l -> l.contains("CHECKPOINT {"))
        .map(l -> l.substring(l.indexOf("CHECKPOINT {") + "CHECKPOINT ".length())).toList();
    assertThat(reports).as(run.describe()).hasSize(1);
    return reports.get(0);
  }

  /**
   * When torchrun's in-place restarts run out its agents exit non-zero, and Gangway's gang restart takes over: attempt
   * 2 gets new pods and a rendezvous of its own (a new PET_RDZV_ID), and the real agents form the world there. The
   * harness relays the agents' exit to the crashed rank's pod, as the kubelet would.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Torch.class)
  void whenTorchrunsInPlaceRestartsRunOutGangwayRestartsTheGangWithAFreshRendezvous(Torch torch) {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.torchrun(torch));
    kube.apply(Manifests.trainingJob("handoff", 2, 2, Manifests.failurePolicy("inPlaceRestarts: 1\n    maxRestarts: 3", 0)));
    await("handoff Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("handoff")).as(kube.describe("handoff")).isEqualTo("Running"));
    LocalRanks first = onPodNetwork("handoff", 1);
    Map<String, String> harness = new HashMap<>(TORCHRUN_ON_PYTHON_311);
    harness.put("CRASH_RANK", "3");
    harness.put("CRASH_EVERY_ROUND", "1");
    List<String> command = List.of(clients.torchrun(torch).toString(), TrainingClients.script("crash_once_torch.py").toString());
    LocalRanks.Run exhausted = first.run(harness, false, command);

    assertThat(exhausted.exitCode()).as("torchrun gave up: " + exhausted.describe()).isNotZero();
    // Two rounds: the first, and the one in-place restart it was allowed.
    assertThat(WorkerRounds.of(exhausted).completeRounds()).as(exhausted.describe()).isEqualTo(2);
    assertThat(kube.get("tj", "handoff").path("status").path("attempt").asInt()).as("nothing for Gangway until then").isEqualTo(1);

    kube.kubectl("annotate", "pod", "-l", "gangway.dev/job-name=handoff,gangway.dev/attempt=1,gangway.dev/rank=1",
        "gangway.dev/e2e-exit-code=1");
    LocalRanks second = onPodNetwork("handoff", 2);
    assertThat(second.env(0).get("PET_RDZV_ID")).isNotEqualTo(first.env(0).get("PET_RDZV_ID")).endsWith("-2");
    LocalRanks.Run resumed = second.run(harness, false, command);
    assertWorld(resumed, "torch", 4);
    JsonNode job = kube.get("tj", "handoff");
    assertThat(job.path("status").path("attempt").asInt()).isEqualTo(2);
    assertThat(job.path("status").path("restarts").asInt()).as("one gang restart; torchrun's in-place one is not counted").isEqualTo(1);
  }

  /**
   * torchrun's c10d rendezvous numbers the nodes in the string order of their names (torch 1.13 and 2.15 alike, as
   * today's upstream): with 12 ranks named J-0 … J-11, J-10 would become node 2. Gangway pads the names under in-place
   * restarts, so every agent's node rank (GROUP_RANK) is the pod's rank in Gangway's placement order. 12 real agents.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Torch.class)
  void torchrunNumbersTheNodesInGangwaysRankOrderUnderInPlaceRestarts(Torch torch) {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.torchrun(torch));
    kube.apply(Manifests.trainingJob("order", 12, 1, Manifests.failurePolicy("inPlaceRestarts: 1", 1)));
    await("order Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase("order")).as(kube.describe("order")).isEqualTo("Running"));
    assertThat(podsOf("order", 1)).extracting(p -> p.path("spec").path("hostname").asText())
        .contains("order-00", "order-02", "order-10", "order-11").doesNotContain("order-2");
    LocalRanks.Run run = onPodNetwork("order", 1).run(TORCHRUN_ON_PYTHON_311, false,
        List.of(clients.torchrun(torch).toString(), TrainingClients.script("rank_order_torch.py").toString()));
    assertWorld(run, "torch", 12);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("group=(\\d+) gangway=(\\d+)").matcher(String.join("\n", run.output().values()));
    Map<Integer, Integer> groupByGangwayRank = new java.util.TreeMap<>();
    while (m.find()) {
      groupByGangwayRank.put(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(1)));
    }
    assertThat(groupByGangwayRank).as(run.describe()).hasSize(12).allSatisfy((gangway, group) -> assertThat(group).isEqualTo(gangway));
  }

  @Test
  void jaxFormsTheWorldWithTheReadmesInitializeLine() {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.venvPython());
    startJob("jax", "jax", 3, 1);
    for (int attempt = 1; attempt <= 2; attempt++) {
      LocalRanks ranks = LocalRanks.of(podsOf("jax", attempt), kube);
      LocalRanks.Run run = ranks.run(Map.of(), false,
          List.of(clients.venvPython().toString(), TrainingClients.script("allreduce_jax.py").toString()));
      assertWorld(run, "jax", 3);
      if (attempt == 1) {
        restart("jax");
      }
    }
  }

  @Test
  void openMpi4LaunchesOverSshOnEveryHostOfTheInjectedHostfile() {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.openMpi4Mpirun()).assume(clients.sshd());
    // No -np and no -hostfile: mpirun must take both from the hostfile the environment names.
    launchesOnEveryAttempt("hpl", 2, false, mpiHarness(clients), "mpi", "Open MPI v4.", List.of("sh", TrainingClients.script("mpi-rank.sh").toString(),
        clients.openMpi4Mpirun().toString(), clients.debianPython().toString(), TrainingClients.script("allreduce_mpi.py").toString()));
  }

  /**
   * MPICH's Hydra reads the Hydra-format hostfile the environment names (HYDRA_HOST_FILE) and starts one
   * proxy per line over ssh, rank 0's own line included (it is not the pod's hostname); its proxies call
   * back to the launcher's hostname, which only rank 0 resolves, so the README's line passes
   * {@code -localhost $GANGWAY_MASTER_ADDR}.
   */
  @Test
  void mpichLaunchesOverSshOnEveryHostOfTheInjectedHydraHostfile() {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.mpichMpiexec()).assume(clients.sshd()).assume(clients.venvPython());
    Map<String, String> harness = mpiHarness(clients);
    // The venv's mpi4py on MPICH (its MPICH-ABI module needs libmpi.so.12, Debian's libmpich.so.12).
    harness.put("MPI4PY_LIBMPI", clients.mpichLibrary().toString());
    harness.put("LD_LIBRARY_PATH", harness.get("LD_LIBRARY_PATH") + ":" + clients.mpichLibrary().getParent());
    launchesOnEveryAttempt("mpich", 2, false, harness, "mpi", "MPICH Version", List.of("sh", "-c",
        "exec sh \"$0\" \"$1\" -localhost \"$GANGWAY_MASTER_ADDR\" \"$2\" \"$3\"",
        TrainingClients.script("mpi-rank.sh").toString(), clients.mpichMpiexec().toString(),
        clients.venvPython().toString(), TrainingClients.script("allreduce_mpi.py").toString()));
  }

  /**
   * Open MPI 5: mpirun takes the hostfile and its slots from PRTE_MCA_prte_default_hostfile (no -np, no
   * -hostfile) and starts PRRTE's daemon on the other rank over ssh. Those daemons never use loopback
   * interfaces, so the ranks run on a pod network (a network namespace and the pod's IP each).
   */
  @Test
  void openMpi5LaunchesOverSshOnEveryHostOfTheInjectedHostfile() {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.openMpi5Mpirun()).assume(clients.sshd());
    launchesOnEveryAttempt("ompi5", 2, true, podNetworkHarness(clients), "mpi", "Open MPI v5.", List.of("sh",
        TrainingClients.script("mpi-rank.sh").toString(), clients.openMpi5Mpirun().toString(), clients.venvPython().toString(),
        TrainingClients.script("allreduce_mpi.py").toString()));
  }

  /**
   * Intel MPI's Hydra reads the Hydra-format hostfile from I_MPI_HYDRA_HOST_FILE and the job's ssh configuration from
   * I_MPI_HYDRA_BOOTSTRAP_EXEC_EXTRA_ARGS (both set by Gangway): no -n, no -f, no -localhost. Its fabric is
   * libfabric's tcp provider (Debian's libfabric; PyPI has none). On a pod network, as a pod would be.
   */
  @Test
  void intelMpiLaunchesOverSshOnEveryHostOfTheInjectedHydraHostfile() {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.intelMpiexec()).assume(clients.sshd()).assume(clients.venvPython());
    Map<String, String> harness = podNetworkHarness(clients);
    // The image's choice of fabric, not a rendezvous variable: TCP, as on any Ethernet pod network.
    harness.put("FI_PROVIDER", "tcp");
    harness.put("MPI4PY_LIBMPI", clients.intelMpiLibraries().resolve("libmpi.so.12").toString());
    harness.put("LD_LIBRARY_PATH", clients.intelMpiLibraries() + ":" + harness.get("LD_LIBRARY_PATH"));
    launchesOnEveryAttempt("impi", 1, true, harness, "mpi", "Intel(R) MPI Library", List.of("sh",
        TrainingClients.script("mpi-rank.sh").toString(), clients.intelMpiexec().toString(), clients.venvPython().toString(),
        TrainingClients.script("allreduce_mpi.py").toString()));
  }

  /**
   * DeepSpeed's own launcher on rank 0 of an mpi job: {@code deepspeed --launcher openmpi --hostfile $GANGWAY_MPI_HOSTFILE}
   * reads the slots from Gangway's hostfile and starts the processes with Open MPI's mpirun over ssh (the job's keys,
   * through the variables Gangway sets); deepspeed.init_distributed() forms the world from the MPI environment. Its
   * runner's own pre-flight ssh check and master-address lookup call plain {@code ssh}, without the job's ssh_config,
   * hence {@code --no_ssh_check} and {@code --master_addr} (the README's line). On a pod network: the runner tells
   * mpirun to use eth0.
   */
  @Test
  void deepSpeedsLauncherReadsTheInjectedHostfileAndLaunchesOverSsh() {
    TrainingClients clients = TrainingClients.get();
    clients.assume(clients.deepSpeed()).assume(clients.openMpi4Mpirun()).assume(clients.sshd());
    launchesOnEveryAttempt("ds", 1, true, podNetworkHarness(clients), "deepspeed", "cmd = mpirun -n 4 -hostfile /etc/gangway/mpi/hostfile",
        List.of("sh", "-c",
            "exec sh \"$0\" \"$1\" --launcher openmpi --no_ssh_check --master_addr \"$GANGWAY_MASTER_ADDR\" --hostfile \"$GANGWAY_MPI_HOSTFILE\" \"$2\"",
            TrainingClients.script("mpi-rank.sh").toString(), clients.deepSpeed().toString(),
            TrainingClients.script("allreduce_deepspeed.py").toString()));
  }

  /**
   * DeepSpeed's other way in, a {@code pytorch} job: torchrun forms the gang from Gangway's PET_* variables and
   * deepspeed.init_distributed() takes the world torchrun gives its workers. DeepSpeed 0.19.8 on PyPI's torch 2.15
   * (installed with no op prebuilt; it JIT-builds its CPU shared-memory op on first use, ~17 s, kept in the clients cache
   * through TORCH_EXTENSIONS_DIR), first attempt only: a restart changes nothing DeepSpeed reads (torchrun's tests above
   * cover it), and with a restart this test took 85 s here.
   */
  @Test
  void deepSpeedOnTorchrunFormsTheWorldFromThePytorchEnvironment() {
    TrainingClients clients = TrainingClients.get();
    Path torchrun = clients.torchrun(Torch.PYPI_2_15);
    clients.assume(torchrun);
    startJob("dst", "pytorch", 2, 2);
    Map<String, String> harness = new HashMap<>(TORCHRUN_ON_PYTHON_311);
    harness.put("TORCH_EXTENSIONS_DIR", clients.torchExtensions().toString());
    LocalRanks.Run run = LocalRanks.of(podsOf("dst", 1), kube).run(harness, false,
        List.of(torchrun.toString(), TrainingClients.script("allreduce_deepspeed.py").toString()));
    assertWorld(run, "deepspeed", 4);
  }

  /**
   * Debian's torch 1.13 torchrun cannot parse its own default --redirects/--tee ("0") on Python 3.11
   * (Std.from_str returns None; fixed in torch 2.x): these set them explicitly, for torch 2 too. Output flags only.
   */
  private static final Map<String, String> TORCHRUN_ON_PYTHON_311 = Map.of("PET_REDIRECTS", "1", "PET_TEE", "1");

  /**
   * What only this harness needs for MPI: root, no binding on 2 shared cores, TCP over loopback (every
   * "host" here is on lo, which Open MPI excludes by default), and where the unpacked sshd and its libwrap are.
   */
  private static Map<String, String> mpiHarness(TrainingClients clients) {
    Map<String, String> env = new HashMap<>(MPI_AS_ROOT);
    env.put("OMPI_MCA_btl_tcp_if_include", "lo");
    env.put("OMPI_MCA_hwloc_base_binding_policy", "none");
    env.put("PRTE_MCA_hwloc_default_binding_policy", "none");
    env.put("SSHD", clients.sshd().toString());
    env.put("LD_LIBRARY_PATH", clients.sshdLibraryPath());
    return env;
  }

  /**
   * An MPI job of 2 ranks × 2 GPUs launched by {@code command} on each of its first {@code attempts} attempts (a gang
   * restart between two, the same names): the ranks use the job's ssh key, the launcher on rank 0 forms one world of
   * 4 processes, 2 on each rank's host, and rank 0's output shows {@code launcher} (which MPI ran).
   *
   * @param podNetwork whether the ranks run on a pod network (their pods' IPs) rather than loopback addresses
   */
  private void launchesOnEveryAttempt(String job, int attempts, boolean podNetwork, Map<String, String> harness, String client,
                                      String launcher, List<String> command) {
    String key = startMpiJob(job);
    for (int attempt = 1; attempt <= attempts; attempt++) {
      assertHostfiles(job);
      LocalRanks ranks = podNetwork ? onPodNetwork(job, attempt) : LocalRanks.of(podsOf(job, attempt), kube);
      assertRanksUseTheJobsSecret(ranks, job, key);
      LocalRanks.Run run = ranks.run(harness, true, command);
      assertWorld(run, client, 4);
      assertTwoProcessesOnEachRank(run, job);
      assertThat(run.output().get(0)).as(run.describe()).contains(launcher);
      if (attempt < attempts) {
        restart(job);
      }
    }
  }

  /** As {@link #mpiHarness}, on a pod network: there launchers pick eth0 by themselves, as in a pod. */
  private static Map<String, String> podNetworkHarness(TrainingClients clients) {
    Map<String, String> env = mpiHarness(clients);
    env.remove("OMPI_MCA_btl_tcp_if_include");
    return env;
  }

  private LocalRanks onPodNetwork(String job, int attempt) {
    return AttemptPods.onPodNetwork(kube, job, attempt, WAIT);
  }

  /**
   * An MPI job as the README shows it: no ssh keys, no ssh variables (Gangway generates the job's key Secret and
   * points the launchers at it), successPolicy RankZero (the job ends with the launcher on rank 0; every rank serves sshd).
   */
  private static String mpiJob(String name, int replicas, int gpus) {
    return Manifests.trainingJob(name, replicas, gpus, "  successPolicy: RankZero\n" + Manifests.failurePolicy("maxRestarts: 3", 1))
        .replace("framework: pytorch", "framework: mpi");
  }

  /**
   * An MPI job of 2 ranks × 2 GPUs (2 slots each), once Running, and the ssh key Secret Gangway made for it, as the
   * API server stores it: exactly one, owned by the job (garbage-collected with it), every rank mounting it.
   *
   * @return the public half of the job's client key, as authorized_keys holds it
   */
  private String startMpiJob(String name) {
    kube.apply(mpiJob(name, 2, 2));
    await(name + " Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase(name)).as(kube.describe(name)).isEqualTo("Running"));
    String uid = kube.get("tj", name).path("metadata").path("uid").asText();
    JsonNode secrets = kube.get("secrets", "-l", "gangway.dev/job-name=" + name).path("items");
    assertThat(secrets.size()).as("the job's ssh Secrets").isEqualTo(1);
    JsonNode secret = secrets.get(0);
    assertThat(secret.path("metadata").path("ownerReferences").get(0).path("uid").asText()).isEqualTo(uid);
    assertThat(secret.path("immutable").asBoolean()).isTrue();
    String clientKey = decoded(secret, "id_ed25519");
    String authorized = decoded(secret, "authorized_keys").strip();
    // OpenSSH derives the authorised public key from the client key Gangway generated.
    assertThat(sshKeygenPublicKey(clientKey)).isEqualTo(authorized);
    for (JsonNode pod : podsOf(name, 1)) {
      assertThat(pod.path("spec").path("volumes").findValuesAsText("secretName")).containsExactly(secret.path("metadata").path("name").asText());
    }
    return authorized;
  }

  /**
   * The files the local ranks' ssh and sshd use are the Secret's, read from the API server (LocalRanks mounts it as
   * the kubelet would), and the key is still the one the job started with.
   */
  private void assertRanksUseTheJobsSecret(LocalRanks ranks, String job, String key) {
    Path ssh = ranks.dir().resolve("etc/gangway/ssh");
    try {
      assertThat(Files.readString(ssh.resolve("authorized_keys")).strip()).as("attempt's key").isEqualTo(key);
      assertThat(sshKeygenPublicKey(Files.readString(ssh.resolve("id_ed25519")))).isEqualTo(key);
      assertThat(Files.readString(ssh.resolve("known_hosts"))).startsWith("*." + job + "." + kube.namespace() + ".svc ssh-ed25519 ");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(ranks.env(0)).containsEntry("OMPI_MCA_plm_rsh_args", "-F /etc/gangway/ssh/ssh_config")
        .containsEntry("PRTE_MCA_plm_ssh_args", "-F /etc/gangway/ssh/ssh_config")
        .containsEntry("HYDRA_LAUNCHER_EXTRA_ARGS", "-F /etc/gangway/ssh/ssh_config")
        .containsEntry("I_MPI_HYDRA_BOOTSTRAP_EXEC_EXTRA_ARGS", "-F /etc/gangway/ssh/ssh_config");
  }

  private static String decoded(JsonNode secret, String file) {
    return new String(java.util.Base64.getDecoder().decode(secret.path("data").path(file).asText()), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The public key OpenSSH's ssh-keygen reads out of a private key file, without its comment. */
  private static String sshKeygenPublicKey(String privateKey) {
    try {
      Path dir = Files.createTempDirectory(E2eEnvironment.WORK, "key");
      Path file = dir.resolve("id");
      Files.writeString(file, privateKey);
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      Command.Result result = Command.run(Map.of(), dir, Duration.ofSeconds(30), null, List.of("ssh-keygen", "-y", "-f", file.toString()));
      result.assertOk();
      String[] parts = result.stdout().strip().split(" ");
      return parts[0] + " " + parts[1];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The launcher placed 2 processes on each rank's host (each reports its rank pod's hostname). */
  private static void assertTwoProcessesOnEachRank(LocalRanks.Run run, String job) {
    assertThat(run.reports()).as(run.describe()).extracting(LocalRanks.Report::host)
        .containsExactlyInAnyOrder(job + "-0", job + "-0", job + "-1", job + "-1");
  }

  private void startJob(String name, String framework, int replicas, int gpus) {
    kube.apply(Manifests.trainingJob(name, replicas, gpus, Manifests.failurePolicy("maxRestarts: 3", 1))
        .replace("framework: pytorch", "framework: " + framework));
    await(name + " Running").atMost(WAIT).untilAsserted(() -> assertThat(kube.phase(name)).as(kube.describe(name)).isEqualTo("Running"));
  }

  /** A rank fails: Gangway restarts the whole gang as attempt 2 under the same names. */
  private void restart(String job) {
    kube.kubectl("annotate", "pod", "-l", "gangway.dev/job-name=" + job + ",gangway.dev/rank=0", "gangway.dev/e2e-exit-code=1");
    await(job + " attempt 2 Running").atMost(WAIT).untilAsserted(() -> {
      assertThat(kube.get("tj", job).path("status").path("attempt").asInt()).isEqualTo(2);
      assertThat(kube.phase(job)).isEqualTo("Running");
    });
  }

  private List<JsonNode> podsOf(String job, int attempt) {
    return AttemptPods.of(kube, job, attempt, WAIT);
  }

  /** The job's hostfile ConfigMap holds one file per format; the pods mount it (LocalRanks reads the mount). */
  private void assertHostfiles(String job) {
    assertThat(kube.get("configmap", job + "-mpi").path("data").fieldNames()).toIterable().containsExactlyInAnyOrder("hostfile", "hydra-hostfile");
  }

  /** Every process joined one world of {@code size} and the all-reduce of the ranks gave 0+1+…+(size−1). */
  private static void assertWorld(LocalRanks.Run run, String client, int size) {
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.reports()).as(run.describe()).hasSize(size).allSatisfy(r -> {
      assertThat(r.client()).isEqualTo(client);
      assertThat(r.world()).isEqualTo(size);
      assertThat(r.sum()).isEqualTo((long) size * (size - 1) / 2);
    });
    assertThat(run.reports()).extracting(LocalRanks.Report::rank).containsExactlyInAnyOrderElementsOf(
        java.util.stream.IntStream.range(0, size).boxed().toList());
  }
}

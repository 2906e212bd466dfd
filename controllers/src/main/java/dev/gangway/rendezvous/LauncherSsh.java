package dev.gangway.rendezvous;

import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How the launcher on rank 0 of an {@code mpi} job reaches every rank: over ssh, as in Kubeflow's MPI operator. Gangway
 * generates the job's keys into a Secret it owns (a client key whose public half every rank's sshd accepts, and a host
 * key that every rank's sshd presents and every client pins for the job's names) with the ssh and sshd configuration,
 * mounted read-only at {@link #DIR}, and points the launchers' ssh at that configuration. A template that mounts
 * anything at {@link #DIR} brings its own Secret: Gangway then generates, mounts and sets nothing of this.
 */
public final class LauncherSsh {
  /** Where the files are mounted in every container of every rank. */
  public static final String DIR = "/etc/gangway/ssh";
  public static final String CLIENT_KEY = "id_ed25519";
  public static final String AUTHORIZED_KEYS = "authorized_keys";
  public static final String HOST_KEY = "ssh_host_ed25519_key";
  public static final String KNOWN_HOSTS = "known_hosts";
  public static final String SSH_CONFIG = "ssh_config";
  public static final String SSHD_CONFIG = "sshd_config";

  private LauncherSsh() {
  }

  /** Whether Gangway generates and mounts the job's ssh Secret: an {@code mpi} job whose template brings none. */
  public static boolean generated(TrainingJob job) {
    return Hostfiles.needed(job) && !templateMountsDir(job.getSpec().getTemplate().getSpec());
  }

  private static boolean templateMountsDir(PodSpec spec) {
    Stream<Container> containers = Stream.concat(spec.getContainers().stream(),
        spec.getInitContainers() == null ? Stream.empty() : spec.getInitContainers().stream());
    return containers.filter(c -> c.getVolumeMounts() != null).flatMap(c -> c.getVolumeMounts().stream())
        .anyMatch(m -> m.getMountPath() != null && m.getMountPath().replaceAll("/+$", "").equals(DIR));
  }

  /**
   * The launchers' ssh options, one variable per launcher: Open MPI ≤ 4, Open MPI 5 (PRRTE), MPICH's Hydra and
   * Intel MPI's Hydra. With {@code -F} ssh reads only the job's configuration, whoever the user and wherever HOME is.
   */
  public static Map<String, String> launcherEnv() {
    String args = "-F " + path(SSH_CONFIG);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("OMPI_MCA_plm_rsh_args", args);
    env.put("PRTE_MCA_plm_ssh_args", args);
    env.put("HYDRA_LAUNCHER_EXTRA_ARGS", args);
    env.put("I_MPI_HYDRA_BOOTSTRAP_EXEC_EXTRA_ARGS", args);
    return env;
  }

  /**
   * The Secret's files, in a stable order.
   *
   * @param client the key the launcher logs in with; every rank's sshd authorises its public half
   * @param host the key every rank's sshd presents; clients accept it only for this job's rank names
   */
  public static Map<String, String> files(TrainingJob job, SshKeyPair client, SshKeyPair host) {
    // Every rank name of this job (J-<rank>.J.N.svc), as the hostfiles write them, and nothing else.
    String ranks = "*." + job.getMetadata().getName() + "." + job.getMetadata().getNamespace() + ".svc";
    Map<String, String> files = new LinkedHashMap<>();
    files.put(CLIENT_KEY, client.privateKey());
    files.put(AUTHORIZED_KEYS, client.publicKey() + "\n");
    files.put(HOST_KEY, host.privateKey());
    files.put(KNOWN_HOSTS, ranks + " " + host.publicKey() + "\n");
    files.put(SSH_CONFIG, """
        Host %s
          IdentityFile %s
          IdentitiesOnly yes
          UserKnownHostsFile %s
          StrictHostKeyChecking yes
          BatchMode yes
        """.formatted(ranks, path(CLIENT_KEY), path(KNOWN_HOSTS)));
    files.put(SSHD_CONFIG, """
        HostKey %s
        AuthorizedKeysFile %s
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        UsePAM no
        PidFile none
        """.formatted(path(HOST_KEY), path(AUTHORIZED_KEYS)));
    return files;
  }

  public static String path(String file) {
    return DIR + "/" + file;
  }
}

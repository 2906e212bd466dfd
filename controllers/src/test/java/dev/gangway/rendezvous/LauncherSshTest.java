package dev.gangway.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.Framework;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.job.TestJobs;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherSshTest {

  private static TrainingJob mpi() {
    TrainingJob job = TestJobs.job("hpl", 2, 4);
    job.getSpec().setFramework(Framework.MPI);
    return job;
  }

  @Test
  void thePrivateKeyFileHoldsTheKeyWhosePublicHalfIsTheLine() throws Exception {
    SshKeyPair pair = SshKeyPair.generate();
    assertThat(pair.privateKey()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n").endsWith("-----END OPENSSH PRIVATE KEY-----\n");
    var parsed = (Ed25519PrivateKeyParameters) OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(pemBody(pair.privateKey()));
    assertThat(pair.publicKey()).startsWith("ssh-ed25519 ");
    byte[] line = Base64.getDecoder().decode(pair.publicKey().substring("ssh-ed25519 ".length()));
    assertThat(OpenSSHPublicKeyUtil.encodePublicKey(parsed.generatePublicKey())).isEqualTo(line);
  }

  @Test
  void everyPairIsNewAndItsTextNeverShowsThePrivateKey() {
    SshKeyPair a = SshKeyPair.generate();
    SshKeyPair b = SshKeyPair.generate();
    assertThat(a.publicKey()).isNotEqualTo(b.publicKey());
    assertThat(a.privateKey()).isNotEqualTo(b.privateKey());
    assertThat(a.toString()).contains(a.publicKey()).doesNotContain("PRIVATE");
  }

  /** OpenSSH itself derives the same public key from the private key file: the format is the one it reads. */
  @Test
  void openSshReadsThePrivateKeyFile(@TempDir Path dir) throws Exception {
    Path keygen = Path.of("/usr/bin/ssh-keygen");
    Assumptions.assumeTrue(Files.isExecutable(keygen), "OpenSSH's ssh-keygen is not installed");
    SshKeyPair pair = SshKeyPair.generate();
    Path key = Files.writeString(dir.resolve("id_ed25519"), pair.privateKey());
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    Process derive = new ProcessBuilder(keygen.toString(), "-y", "-f", key.toString()).redirectErrorStream(true).start();
    assertThat(derive.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(derive.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(derive.exitValue()).as(out).isZero();
    assertThat(out.strip()).startsWith(pair.publicKey());
  }

  @Test
  void theFilesPinTheHostKeyToThisJobsRankNamesAndNameOnlyFilesOfTheSecret() {
    SshKeyPair client = SshKeyPair.generate();
    SshKeyPair host = SshKeyPair.generate();
    Map<String, String> files = LauncherSsh.files(mpi(), client, host);

    assertThat(files).containsOnlyKeys("id_ed25519", "authorized_keys", "ssh_host_ed25519_key", "known_hosts", "ssh_config", "sshd_config")
        .containsEntry("id_ed25519", client.privateKey())
        .containsEntry("authorized_keys", client.publicKey() + "\n")
        .containsEntry("ssh_host_ed25519_key", host.privateKey())
        .containsEntry("known_hosts", "*.hpl.team-a.svc " + host.publicKey() + "\n");
    assertThat(files.get("ssh_config")).startsWith("Host *.hpl.team-a.svc\n")
        .contains("StrictHostKeyChecking yes", "BatchMode yes", "IdentitiesOnly yes");
    assertThat(files.get("sshd_config")).contains("PasswordAuthentication no", "PermitRootLogin prohibit-password");
    // Every file the configurations name is one the Secret mounts.
    Matcher paths = Pattern.compile("/etc/gangway/ssh/(\\S+)").matcher(files.get("ssh_config") + files.get("sshd_config"));
    int named = 0;
    while (paths.find()) {
      assertThat(files).containsKey(paths.group(1));
      named++;
    }
    assertThat(named).isEqualTo(4);
  }

  @Test
  void onlyMpiJobsWithoutTheirOwnSshMountGetGangwaysSecretAndItsVariables() {
    assertThat(LauncherSsh.generated(mpi())).isTrue();
    assertThat(RendezvousEnvironment.forRank(mpi(), 1, 1, null)).containsAllEntriesOf(LauncherSsh.launcherEnv());
    assertThat(LauncherSsh.launcherEnv()).containsOnlyKeys("OMPI_MCA_plm_rsh_args", "PRTE_MCA_plm_ssh_args",
        "HYDRA_LAUNCHER_EXTRA_ARGS", "I_MPI_HYDRA_BOOTSTRAP_EXEC_EXTRA_ARGS").allSatisfy((k, v) -> assertThat(v).isEqualTo("-F /etc/gangway/ssh/ssh_config"));

    for (Framework other : List.of(Framework.PYTORCH, Framework.JAX, Framework.GENERIC)) {
      TrainingJob job = TestJobs.job("x", 2, 1);
      job.getSpec().setFramework(other);
      assertThat(LauncherSsh.generated(job)).as(other.name()).isFalse();
    }
    for (String path : List.of("/etc/gangway/ssh", "/etc/gangway/ssh/")) {
      TrainingJob own = mpi();
      own.getSpec().getTemplate().getSpec().getContainers().get(1)
          .setVolumeMounts(List.of(new VolumeMountBuilder().withName("mine").withMountPath(path).build()));
      assertThat(LauncherSsh.generated(own)).as(path).isFalse();
      assertThat(RendezvousEnvironment.forRank(own, 0, 1, null)).doesNotContainKeys("OMPI_MCA_plm_rsh_args", "HYDRA_LAUNCHER_EXTRA_ARGS");
    }
  }

  private static byte[] pemBody(String pem) {
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }
}

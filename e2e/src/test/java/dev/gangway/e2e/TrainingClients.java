package dev.gangway.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The real training clients that e2e/clients/build-clients.sh installed from the package registries:
 * Debian's torch (torchrun, gloo), Open MPI 4 and MPICH 4, a virtualenv with JAX (CPU), Open MPI 5 and mpi4py,
 * one with PyPI's torch 2, one with DeepSpeed, one with Intel MPI's runtime, and an unpacked sshd. Built once per machine and cached; a test that needs a missing one is skipped
 * with build-clients.sh's own account of why.
 */
final class TrainingClients {
  static final Path SCRIPTS = E2eEnvironment.REPO.resolve("e2e/clients");
  private static TrainingClients built;
  private final Path dir;
  private final String problem;

  private TrainingClients(Path dir, String problem) {
    this.dir = dir;
    this.problem = problem;
  }

  /** Runs build-clients.sh (seconds when cached; ~6 min cold) once per test run. */
  static synchronized TrainingClients get() {
    if (built == null) {
      Command.Result result = Command.run(Map.of(), SCRIPTS, Duration.ofMinutes(20), null,
          List.of(SCRIPTS.resolve("build-clients.sh").toString(), "--print-dir"));
      String out = result.stdout().strip();
      built = new TrainingClients(out.isEmpty() ? null : Path.of(out), result.exitCode() == 0 ? null : result.stderr().strip());
    }
    return built;
  }

  /** Skips the calling test, saying what is missing, unless the given client is installed. */
  TrainingClients assume(Path executable) {
    Assumptions.assumeTrue(dir != null && Files.isExecutable(executable),
        () -> "client " + executable + " is not installed: " + problem);
    return this;
  }

  /** The torch installations the torchrun tests run on: Debian's 1.13 and PyPI's 2.15, whose c10d rendezvous differs. */
  enum Torch {
    DEBIAN_1_13, PYPI_2_15
  }

  Path torchrun(Torch torch) {
    return torch == Torch.DEBIAN_1_13 ? Path.of("/usr/bin/torchrun") : inCache("torch2/bin/torchrun");
  }

  /** The interpreter of that torch, for scripts started without torchrun. */
  Path torchPython(Torch torch) {
    return torch == Torch.DEBIAN_1_13 ? debianPython() : inCache("torch2/bin/python");
  }

  /**
   * Where DeepSpeed on PyPI's torch JIT-builds its CPU ops (TORCH_EXTENSIONS_DIR): beside that torch in the cache, so a
   * machine compiles them once. Otherwise they go under the ranks' HOME, a fresh directory every run.
   */
  Path torchExtensions() {
    return inCache("torch2/torch_extensions");
  }

  /** A path in build-clients.sh's cache; one that exists nowhere when the cache could not be built. */
  private Path inCache(String path) {
    return dir == null ? Path.of("/nonexistent") : dir.resolve(path);
  }

  /** Debian's python3: the interpreter Debian's torch and mpi4py (Open MPI 4) are built for. */
  Path debianPython() {
    return Path.of("/usr/bin/python3");
  }

  Path openMpi4Mpirun() {
    return Path.of("/usr/bin/mpirun.openmpi");
  }

  /** MPICH 4's Hydra launcher (Debian). */
  Path mpichMpiexec() {
    return Path.of("/usr/bin/mpiexec.hydra");
  }

  /** Where libmpi.so.12 (MPICH's ABI soname, a link to Debian's libmpich.so.12) is, for the venv's mpi4py on MPICH. */
  Path mpichLibrary() {
    return inCache("mpich-lib/libmpi.so.12");
  }

  Path venvPython() {
    return inCache("venv/bin/python");
  }

  /** DeepSpeed's launcher, in a virtualenv on Debian's python3 (its torch 1.13 and its mpi4py for Open MPI 4). */
  Path deepSpeed() {
    return inCache("deepspeed/bin/deepspeed");
  }

  /** Intel MPI's Hydra launcher (PyPI's impi-rt, on Debian's libfabric). */
  Path intelMpiexec() {
    return inCache("impi/bin/mpiexec.hydra");
  }

  /** Intel MPI's libraries: its libmpi.so.12 (MPICH's ABI), for the venv's mpi4py. */
  Path intelMpiLibraries() {
    return inCache("impi/lib");
  }

  Path openMpi5Mpirun() {
    return inCache("venv/bin/mpirun");
  }

  Path sshd() {
    return inCache("sshd/root/usr/sbin/sshd");
  }

  /** Where sshd's one library outside the base system (libwrap) was unpacked. */
  String sshdLibraryPath() {
    return dir.resolve("sshd/root/lib/x86_64-linux-gnu") + ":" + dir.resolve("sshd/root/usr/lib/x86_64-linux-gnu");
  }

  static Path script(String name) {
    return SCRIPTS.resolve(name);
  }
}

package dev.gangway.rendezvous;

import dev.gangway.api.v1alpha1.Framework;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.pod.JobNames;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hostfiles of an {@code mpi} job, one per format, each named for the launchers that read it. Every
 * line is one rank's DNS name with as many slots as it has GPUs (at least one process per rank).
 */
public final class Hostfiles {
  /** Where the files are mounted in every container of every rank. */
  public static final String DIR = "/etc/gangway/mpi";
  /** {@code host slots=N}: Open MPI's mpirun (4 and 5) and DeepSpeed's launcher read this format. */
  public static final String OPEN_MPI = "hostfile";
  /** {@code host:N}: Hydra's format, read by MPICH's and Intel MPI's mpiexec. */
  public static final String HYDRA = "hydra-hostfile";

  private Hostfiles() {
  }

  public static String path(String file) {
    return DIR + "/" + file;
  }

  public static boolean needed(TrainingJob job) {
    return job.getSpec().frameworkOrDefault() == Framework.MPI;
  }

  /** File name → content, in a stable order. */
  public static Map<String, String> forJob(TrainingJob job) {
    StringBuilder openMpi = new StringBuilder();
    StringBuilder hydra = new StringBuilder();
    int slots = Math.max(1, job.getSpec().gpus());
    for (int rank = 0; rank < job.getSpec().getReplicas(); rank++) {
      String host = JobNames.rankAddress(job, rank);
      openMpi.append(host).append(" slots=").append(slots).append('\n');
      hydra.append(host).append(':').append(slots).append('\n');
    }
    Map<String, String> files = new LinkedHashMap<>();
    files.put(OPEN_MPI, openMpi.toString());
    files.put(HYDRA, hydra.toString());
    return files;
  }
}

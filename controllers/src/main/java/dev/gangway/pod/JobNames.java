package dev.gangway.pod;

import dev.gangway.api.v1alpha1.TrainingJob;

/** Names and labels of the objects Gangway creates for a job, in one place so every step agrees. */
public final class JobNames {
  public static final String LABEL_JOB = "gangway.dev/job-name";
  public static final String LABEL_RANK = "gangway.dev/rank";
  public static final String LABEL_ATTEMPT = "gangway.dev/attempt";
  public static final String RENDEZVOUS_PORT_NAME = "rendezvous";
  /** The port rank 0 listens on for rendezvous (torchrun's default, used for every framework). */
  public static final int RENDEZVOUS_PORT = 29500;

  private JobNames() {
  }

  /** Pod name of a rank in an attempt: unique across attempts, so a new attempt never waits on an old pod's deletion. */
  public static String podName(String job, int rank, int attempt) {
    return job + "-r" + rank + "-a" + attempt;
  }

  /**
   * DNS hostname of a rank inside the job's headless Service, {@code <job>-<rank>}: stable across attempts. With
   * in-place restarts the rank is zero-padded to the width of the highest one ({@code gpt-03} of 12 ranks):
   * torchrun's c10d rendezvous numbers its nodes in the string order of their names, which then is rank order.
   */
  public static String hostname(TrainingJob job, int rank) {
    int width = job.getSpec().inPlaceRestarts() > 0
        ? Integer.toString(Math.max(0, job.getSpec().getReplicas() - 1)).length()
        : 1;
    return job.getMetadata().getName() + "-" + String.format("%0" + width + "d", rank);
  }

  /** Fully qualified name a rank resolves as: {@code <hostname>.<job>.<namespace>.svc}. */
  public static String rankAddress(TrainingJob job, int rank) {
    String name = job.getMetadata().getName();
    return hostname(job, rank) + "." + name + "." + job.getMetadata().getNamespace() + ".svc";
  }

  public static String serviceName(String job) {
    return job;
  }

  public static String mpiConfigMapName(String job) {
    return job + "-mpi";
  }

  /**
   * The ssh key Secret Gangway generates for an {@code mpi} job. The uid's first group makes it this job's only: a
   * Secret of the same name left by a deleted job of the same name (not yet garbage-collected), or made by a
   * user, is never taken for it.
   */
  public static String sshSecretName(TrainingJob job) {
    String uid = job.getMetadata().getUid();
    String name = job.getMetadata().getName() + "-ssh";
    return uid == null || uid.isEmpty() ? name : name + "-" + uid.split("-", 2)[0];
  }
}

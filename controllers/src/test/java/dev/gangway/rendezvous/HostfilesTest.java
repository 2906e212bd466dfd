package dev.gangway.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.Framework;
import dev.gangway.api.v1alpha1.TrainingJob;
import dev.gangway.job.TestJobs;
import org.junit.jupiter.api.Test;

class HostfilesTest {

  private static TrainingJob mpi(int replicas, int gpus) {
    TrainingJob job = TestJobs.job("hpl", replicas, gpus);
    job.getSpec().setFramework(Framework.MPI);
    return job;
  }

  @Test
  void openMpiAndDeepSpeedFormatIsHostSlots() {
    assertThat(Hostfiles.forJob(mpi(2, 4))).containsEntry("hostfile", "hpl-0.hpl.team-a.svc slots=4\nhpl-1.hpl.team-a.svc slots=4\n");
  }

  @Test
  void hydraFormatForMpichAndIntelMpiIsHostColonCount() {
    assertThat(Hostfiles.forJob(mpi(3, 8))).containsEntry("hydra-hostfile",
        "hpl-0.hpl.team-a.svc:8\nhpl-1.hpl.team-a.svc:8\nhpl-2.hpl.team-a.svc:8\n");
  }

  @Test
  void aCpuOnlyRankStillGetsOneSlot() {
    assertThat(Hostfiles.forJob(mpi(1, 0))).containsEntry("hostfile", "hpl-0.hpl.team-a.svc slots=1\n")
        .containsEntry("hydra-hostfile", "hpl-0.hpl.team-a.svc:1\n");
  }

  @Test
  void onlyMpiJobsGetHostfiles() {
    assertThat(Hostfiles.needed(mpi(2, 1))).isTrue();
    for (Framework other : new Framework[] {Framework.PYTORCH, Framework.JAX, Framework.GENERIC}) {
      TrainingJob job = TestJobs.job("x", 2, 1);
      job.getSpec().setFramework(other);
      assertThat(Hostfiles.needed(job)).as(other.name()).isFalse();
    }
  }
}

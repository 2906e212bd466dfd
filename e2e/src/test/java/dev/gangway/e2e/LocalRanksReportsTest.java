package dev.gangway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.groups.Tuple.tuple;

import org.junit.jupiter.api.Test;

class LocalRanksReportsTest {

  @Test
  void twoRanksLinesRunTogetherByMpirunAreTwoReports() {
    // As CI printed it: rank 3's line lost its newline to rank 2's.
    String output = "RESULT client=deepspeed world=4 rank=1 sum=6 host=ds-0\n"
        + "RESULT client=deepspeed world=4 rank=3 sum=6 host=ds-1RESULT client=deepspeed world=4 rank=2 sum=6 host=ds-1\n\n";

    assertThat(LocalRanks.reports(output))
        .extracting(LocalRanks.Report::rank, LocalRanks.Report::host)
        .containsExactly(
            tuple(1, "ds-0"),
            tuple(3, "ds-1"),
            tuple(2, "ds-1"));
  }

  @Test
  void aReportWithoutHostKeepsItsFields() {
    assertThat(LocalRanks.reports("noise\nRESULT client=jax world=2 rank=0 sum=1\n"))
        .containsExactly(new LocalRanks.Report("jax", 2, 0, 1, null));
  }
}

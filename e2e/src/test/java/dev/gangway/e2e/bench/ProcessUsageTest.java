package dev.gangway.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProcessUsageTest {

  @Test
  void readsRssAndUserPlusSystemTimeEvenWhenTheCommandNameHasSpacesAndParentheses() {
    String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  524288 kB\nThreads:\t40\n";
    String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1250 375 0 0 20 0 40 0 1000 1 1";
    ProcessUsage usage = ProcessUsage.parse(status, stat);
    assertThat(usage.rssBytes()).isEqualTo(512L * 1024 * 1024);
    assertThat(usage.rssMib()).isEqualTo(512.0);
    assertThat(usage.cpuSeconds()).isCloseTo(16.25, within(1e-9));
    assertThat(usage.cpuSince(new ProcessUsage(0, 6.25))).isCloseTo(10.0, within(1e-9));
  }

  @Test
  void readsALiveProcess() {
    ProcessUsage self = ProcessUsage.of(ProcessHandle.current().pid());
    assertThat(self.rssBytes()).isPositive();
    assertThat(self.cpuSeconds()).isPositive();
  }
}

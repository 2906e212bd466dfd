package dev.gangway.act;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.decide.JobEvent;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobEventRecorderTest {

  private static final Instant T = Instant.parse("2026-12-06T19:50:12.000042Z");

  @Test
  void anEventCarriesItsTimeToTheMicrosecondAndWhoWroteIt() {
    Event e = new JobEventRecorder("gangway-7d9f-abcde").event(JobEvent.warning("RankFailed", "rank 1 failed"), T).build();

    // RFC 3339 with exactly six fractional digits, as the API server's MicroTime reads it.
    assertThat(e.getEventTime().getTime()).isEqualTo("2026-12-06T19:50:12.000042Z");
    assertThat(e.getReportingInstance()).isEqualTo("gangway-7d9f-abcde");
    assertThat(e.getReportingComponent()).isEqualTo(JobEventRecorder.COMPONENT);
    assertThat(e.getAction()).isEqualTo(JobEventRecorder.ACTION);
    assertThat(e.getType()).isEqualTo("Warning");
    assertThat(e.getLastTimestamp()).isEqualTo(T.toString());
  }

  @Test
  void eventsOfOneSecondSortByTheirEventTimeInTheOrderTheyWereRecorded() {
    JobEventRecorder recorder = new JobEventRecorder("r");
    String[] times = {"2026-12-06T19:50:12.000009Z", "2026-12-06T19:50:12.000010Z", "2026-12-06T19:50:12.1Z", "2026-12-06T19:50:12.999999Z"};
    String previous = "";
    for (String t : times) {
      String eventTime = recorder.event(JobEvent.normal("Started", "m"), Instant.parse(t)).build().getEventTime().getTime();
      // kubectl --sort-by=.eventTime compares the strings: fixed width makes that the time order.
      assertThat(eventTime).hasSize(27).isGreaterThan(previous);
      previous = eventTime;
    }
  }

  @Test
  void withoutAPodNameTheComponentReportsAndAnOverlongNameIsCut() {
    assertThat(new JobEventRecorder(null).event(JobEvent.normal("Started", "m"), T).build().getReportingInstance())
        .isEqualTo(JobEventRecorder.COMPONENT);
    assertThat(new JobEventRecorder("x".repeat(300)).event(JobEvent.normal("Started", "m"), T).build().getReportingInstance())
        .hasSize(128);
  }
}

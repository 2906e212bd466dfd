package dev.gangway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.api.v1alpha1.TrainingJob;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TerminationMessageTest {

  @Test
  void readsTheCheckpointRankZeroNamed() {
    assertThat(TerminationMessage.checkpoint("{\"checkpoint\":{\"step\":1200,\"path\":\"/ckpt/step-1200\"}}\n"))
        .contains(new TerminationMessage.CheckpointMark(1200, "/ckpt/step-1200"));
  }

  @Test
  void readsTheInPlaceRestartsItCountsAndDropsOnlyACountThatIsNotOne() {
    assertThat(TerminationMessage.checkpoint("{\"checkpoint\":{\"step\":9,\"path\":\"/c/9\",\"inPlaceRestarts\":2}}"))
        .contains(new TerminationMessage.CheckpointMark(9, "/c/9", 2));
    for (String count : new String[] {"-1", "\"2\"", "1.5", "4294967296", "null"}) {
      assertThat(TerminationMessage.checkpoint("{\"checkpoint\":{\"step\":9,\"path\":\"/c/9\",\"inPlaceRestarts\":" + count + "}}"))
          .as(count).contains(new TerminationMessage.CheckpointMark(9, "/c/9", 0));
    }
    TrainingJob job = new TrainingJob();
    job.setMetadata(new ObjectMetaBuilder().withNamespace("ml").withName("llm").withUid("u-1").build());
    assertThat(TerminationMessage.report("{\"checkpoint\":{\"step\":7,\"path\":\"/c/7\",\"inPlaceRestarts\":1}}", job, 3, Instant.EPOCH))
        .map(CheckpointReport::inPlaceRestarts).contains(1);
  }

  @Test
  void carriesWhenTheRestartedWorkersStartedIntoTheReportSoGoodputCanDateTheRepeatedWork() {
    TrainingJob job = new TrainingJob();
    job.setMetadata(new ObjectMetaBuilder().withNamespace("ml").withName("llm").withUid("u-1").build());
    String message = "{\"checkpoint\":{\"step\":7,\"path\":\"/c/7\",\"inPlaceRestarts\":1,\"inPlaceRestartTime\":\"2026-11-02T09:41:07Z\"}}";
    assertThat(TerminationMessage.report(message, job, 3, Instant.EPOCH)).map(CheckpointReport::inPlaceRestartTime)
        .contains(Instant.parse("2026-11-02T09:41:07Z"));
    // A time that is not RFC 3339 UTC, or that dates no counted restart, is dropped; the checkpoint and count stay.
    for (String time : new String[] {"\"yesterday\"", "1730540467", "\"2026-11-02 09:41:07\"", "null"}) {
      assertThat(TerminationMessage.checkpoint("{\"checkpoint\":{\"step\":7,\"path\":\"/c/7\",\"inPlaceRestarts\":1,\"inPlaceRestartTime\":" + time + "}}"))
          .as(time).contains(new TerminationMessage.CheckpointMark(7, "/c/7", 1, null));
    }
    assertThat(TerminationMessage.checkpoint("{\"checkpoint\":{\"step\":7,\"path\":\"/c/7\",\"inPlaceRestartTime\":\"2026-11-02T09:41:07Z\"}}"))
        .contains(new TerminationMessage.CheckpointMark(7, "/c/7", 0, null));
  }

  @Test
  void otherKeysAreIgnored() {
    assertThat(TerminationMessage.checkpoint("{\"loss\":1.7,\"checkpoint\":{\"path\":\"/c/9\",\"step\":9,\"bytes\":10}}"))
        .contains(new TerminationMessage.CheckpointMark(9, "/c/9"));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "Traceback (most recent call last):\n  File \"train.py\"",  // logs under FallbackToLogsOnError
      "{\"checkpoint\":{\"step\":1200,\"path\":\"/ckpt/st",            // cut at the kubelet's 4 KiB limit
      "{\"checkpoint\":{\"step\":1200}}",
      "{\"checkpoint\":{\"path\":\"/ckpt\"}}",
      "{\"checkpoint\":{\"step\":\"1200\",\"path\":\"/ckpt\"}}",
      "{\"checkpoint\":{\"step\":-1,\"path\":\"/ckpt\"}}",
      "{\"checkpoint\":{\"step\":1,\"path\":\"  \"}}",
      "{\"checkpoint\":\"/ckpt/step-1200\"}",
      "[{\"checkpoint\":{\"step\":1,\"path\":\"/c\"}}]",
      "42",
      "{}"})
  void anythingElseNamesNoCheckpoint(String message) {
    assertThat(TerminationMessage.checkpoint(message)).isEmpty();
  }

  @Test
  void becomesAReportForTheJobsAttempt() {
    TrainingJob job = new TrainingJob();
    job.setMetadata(new ObjectMetaBuilder().withNamespace("ml").withName("llm").withUid("u-1").build());
    Instant finished = Instant.parse("2026-11-02T10:00:00Z");
    assertThat(TerminationMessage.report("{\"checkpoint\":{\"step\":7,\"path\":\"/c/7\"}}", job, 3, finished))
        .contains(new CheckpointReport("ml", "llm", "u-1", 3, 7, "/c/7", finished));
  }
}

package dev.gangway.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gangway.decide.OrphanedRanks.Owner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class OrphanedRanksTest {
  private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
  private static final Owner LLM = new Owner("ml", "llm", "uid-1");
  /** The same name applied again: a new uid, a live job. */
  private static final Owner LLM_AGAIN = new Owner("ml", "llm", "uid-2");

  /**
   * @param rounds for each sweep, seconds after T0 and the uids the job cache holds then
   * @param due the owners due at the last round
   */
  record Case(String name, List<Round> rounds, List<Owner> due) {
    @Override
    public String toString() {
      return name;
    }
  }

  record Round(long second, Set<String> cached) {
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("a live job's pods are never due", List.of(new Round(0, Set.of("uid-1", "uid-2")),
            new Round(60, Set.of("uid-1", "uid-2"))), List.of()),
        new Case("missing for less than the grace: not yet", List.of(new Round(0, Set.of("uid-2")), new Round(19, Set.of("uid-2"))),
            List.of()),
        new Case("missing for the whole grace: due, and only the deleted uid, not the new job of the same name",
            List.of(new Round(0, Set.of("uid-2")), new Round(20, Set.of("uid-2"))), List.of(LLM)),
        new Case("back in the cache between rounds: the grace starts again", List.of(new Round(0, Set.of("uid-2")),
            new Round(10, Set.of("uid-1", "uid-2")), new Round(25, Set.of("uid-2")), new Round(44, Set.of("uid-2"))), List.of()),
        new Case("back in the cache, then missing for a whole grace again", List.of(new Round(0, Set.of("uid-2")),
            new Round(10, Set.of("uid-1", "uid-2")), new Round(25, Set.of("uid-2")), new Round(45, Set.of("uid-2"))), List.of(LLM)),
        new Case("both gone", List.of(new Round(0, Set.of()), new Round(30, Set.of())), List.of(LLM, LLM_AGAIN)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decidesWhichOwnersPodsAreDue(Case c) {
    OrphanedRanks orphans = new OrphanedRanks(Duration.ofSeconds(20));
    List<Owner> due = List.of();
    for (Round round : c.rounds()) {
      due = orphans.due(List.of(LLM, LLM_AGAIN), round.cached()::contains, T0.plusSeconds(round.second()));
    }
    assertThat(due).isEqualTo(c.due());
  }

  @Test
  void anOwnerNoPodNamesAnyMoreIsForgotten() {
    OrphanedRanks orphans = new OrphanedRanks(Duration.ofSeconds(20));
    orphans.due(List.of(LLM), uid -> false, T0);
    orphans.due(List.of(), uid -> false, T0.plusSeconds(5));
    // Its pods seen again (a relist): counted from then, not from the first sighting.
    assertThat(orphans.due(List.of(LLM), uid -> false, T0.plusSeconds(20))).isEmpty();
    assertThat(orphans.due(List.of(LLM), uid -> false, T0.plusSeconds(40))).containsExactly(LLM);
  }

  @Test
  void aJobTheApiServerStillHasWaitsAnotherGraceAndALeaderChangeStartsOver() {
    OrphanedRanks orphans = new OrphanedRanks(Duration.ofSeconds(20));
    orphans.due(List.of(LLM), uid -> false, T0);
    assertThat(orphans.due(List.of(LLM), uid -> false, T0.plusSeconds(20))).containsExactly(LLM);

    orphans.stillExists(LLM, T0.plusSeconds(20));
    assertThat(orphans.due(List.of(LLM), uid -> false, T0.plusSeconds(39))).isEmpty();
    assertThat(orphans.due(List.of(LLM), uid -> false, T0.plusSeconds(40))).containsExactly(LLM);

    orphans.forgetAll();
    assertThat(orphans.due(List.of(LLM), uid -> false, T0.plusSeconds(41))).isEmpty();
  }
}

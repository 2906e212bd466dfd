package dev.gangway.operator.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StreamBudgetTest {
  private final AtomicInteger opened = new AtomicInteger();
  private final StreamBudget<String> budget = new StreamBudget<>(2, () -> "connection-" + opened.incrementAndGet());

  @Test
  void fillsTheFirstConnectionThenOpensAnother() {
    assertThat(budget.connections()).as("one from the start").containsExactly("connection-1");

    StreamBudget.Connection<String> first = budget.acquire();
    StreamBudget.Connection<String> second = budget.acquire();
    StreamBudget.Connection<String> third = budget.acquire();

    assertThat(first.client()).isEqualTo("connection-1");
    assertThat(second.client()).isEqualTo("connection-1");
    assertThat(third.client()).as("the first is full").isEqualTo("connection-2");
    assertThat(budget.open()).isEqualTo(3);
    assertThat(budget.connections()).containsExactly("connection-1", "connection-2");
    assertThat(budget.first()).isEqualTo("connection-1");
  }

  @Test
  void aFreedStreamOnTheFirstConnectionIsTakenBeforeTheOthers() {
    StreamBudget.Connection<String> first = budget.acquire();
    budget.acquire();
    budget.acquire();
    budget.release(first);

    assertThat(budget.acquire().client()).isEqualTo("connection-1");
    assertThat(budget.acquire().client()).as("the second still has room").isEqualTo("connection-2");
    assertThat(budget.connections()).as("no third while one has room").hasSize(2);
  }

  @Test
  void aStreamGivenBackTwiceIsAnError() {
    StreamBudget.Connection<String> connection = budget.acquire();
    budget.release(connection);

    assertThatThrownBy(() -> budget.release(connection)).isInstanceOf(IllegalStateException.class);
    assertThat(budget.open()).isZero();
  }

  @Test
  void aConnectionNeedsAStream() {
    assertThatThrownBy(() -> new StreamBudget<>(0, () -> "connection")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}

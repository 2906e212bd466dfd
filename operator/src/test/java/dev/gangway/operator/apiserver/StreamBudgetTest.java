package dev.gangway.operator.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StreamBudgetTest {

  @Test
  void grantsUpToTheLimitThenQueuesInArrivalOrder() {
    StreamBudget budget = new StreamBudget(2, Runnable::run);
    CompletableFuture<Void> first = budget.acquire();
    CompletableFuture<Void> second = budget.acquire();
    CompletableFuture<Void> third = budget.acquire();
    CompletableFuture<Void> fourth = budget.acquire();

    assertThat(first).isDone();
    assertThat(second).isDone();
    assertThat(third).isNotDone();
    assertThat(fourth).isNotDone();
    assertThat(budget.open()).isEqualTo(2);
    assertThat(budget.waiting()).isEqualTo(2);

    budget.release();
    assertThat(third).isDone();
    assertThat(fourth).isNotDone();
    assertThat(budget.open()).as("handed over, not given back").isEqualTo(2);

    budget.release();
    budget.release();
    budget.release();
    assertThat(fourth).isDone();
    assertThat(budget.open()).isZero();
    assertThat(budget.waiting()).isZero();
  }

  @Test
  void aWaiterThatGaveUpPassesTheStreamOn() {
    StreamBudget budget = new StreamBudget(1, Runnable::run);
    budget.acquire();
    CompletableFuture<Void> gaveUp = budget.acquire();
    CompletableFuture<Void> next = budget.acquire();
    gaveUp.cancel(false);

    budget.release();

    assertThat(next).isDone();
    assertThat(budget.open()).isEqualTo(1);
    budget.release();
    assertThat(budget.open()).isZero();
  }

  @Test
  void aBudgetNeedsAStream() {
    assertThatThrownBy(() -> new StreamBudget(0, Runnable::run)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}

package dev.flotilla.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.time.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    private final ManualTicker ticker = new ManualTicker();

    private static int drain(RetryBudget budget) {
        int retries = 0;
        while (budget.tryRetry()) {
            retries++;
        }
        return retries;
    }

    @Test
    void eachRequestEarnsItsShareOfARetry() {
        RetryBudget budget = new RetryBudget(0.5, 0, ticker);
        for (int i = 0; i < 10; i++) {
            budget.onRequest();
        }
        assertThat(drain(budget)).isEqualTo(5);
    }

    @Test
    void theReserveIsRefilledEachSecondButNotSaved() {
        RetryBudget budget = new RetryBudget(0, 3, ticker);
        assertThat(drain(budget)).isEqualTo(3);
        ticker.advance(Duration.ofMillis(400));
        assertThat(budget.tryRetry()).as("the same second").isFalse();
        ticker.advance(Duration.ofSeconds(5));
        assertThat(drain(budget)).as("five quiet seconds still give one second's reserve").isEqualTo(3);
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> new RetryBudget(1.5, 0))
                .hasMessage("retry budget ratio: 1.5 (expected: 0..1)");
    }
}

package dev.flotilla.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    @Test
    void opensAtTheFailureRateThenLetsTrialsThroughAndCloses() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(50, 4, 10_000, 100, 2));
        for (int i = 0; i < 3; i++) {
            assertThat(breaker.tryAcquire()).isTrue();
            breaker.onResult(true);
        }
        assertThat(breaker.state()).as("3 calls is below the minimum of 4").isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.tryAcquire();
        breaker.onResult(true);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire()).isFalse();

        Thread.sleep(150);
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.tryAcquire()).as("only two trials").isFalse();
        breaker.onResult(false);
        breaker.onResult(false);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.timesOpened()).isEqualTo(1);
    }

    @Test
    void aFailedTrialOpensItAgain() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(50, 1, 10_000, 50, 1));
        breaker.tryAcquire();
        breaker.onResult(true);
        Thread.sleep(80);
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.onResult(true);
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.timesOpened()).isEqualTo(2);
    }

    @Test
    void successesKeepItClosed() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(50, 4, 10_000, 100, 2));
        for (int i = 0; i < 100; i++) {
            breaker.tryAcquire();
            breaker.onResult(i % 4 == 0);
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void theRetryBudgetAllowsTheReservePlusItsShareOfRequests() {
        RetryBudget budget = new RetryBudget(0.5, 0);
        for (int i = 0; i < 10; i++) {
            budget.onRequest();
        }
        int retries = 0;
        while (budget.tryRetry()) {
            retries++;
        }
        assertThat(retries).isEqualTo(5);
    }
}

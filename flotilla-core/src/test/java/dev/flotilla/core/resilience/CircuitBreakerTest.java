package dev.flotilla.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.time.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final ManualTicker ticker = new ManualTicker();

    @Test
    void opensAtTheFailureRateThenLetsTrialsThroughAndCloses() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(50, 4, 10_000, 100, 2), ticker);
        for (int i = 0; i < 3; i++) {
            assertThat(breaker.tryAcquire()).isTrue();
            breaker.onResult(true);
        }
        assertThat(breaker.state()).as("3 calls is below the minimum of 4").isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.tryAcquire();
        breaker.onResult(true);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire()).isFalse();
        ticker.advance(Duration.ofMillis(99));
        assertThat(breaker.tryAcquire()).as("still open for 1 ms").isFalse();

        ticker.advance(Duration.ofMillis(1));
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.tryAcquire()).as("only two trials").isFalse();
        breaker.onResult(false);
        breaker.onResult(false);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.timesOpened()).isEqualTo(1);
    }

    @Test
    void aFailedTrialOpensItAgain() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(50, 1, 10_000, 50, 1), ticker);
        breaker.tryAcquire();
        breaker.onResult(true);
        ticker.advance(Duration.ofMillis(50));
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.onResult(true);
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.timesOpened()).isEqualTo(2);
    }

    @Test
    void successesKeepItClosed() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(50, 4, 10_000, 100, 2), ticker);
        for (int i = 0; i < 100; i++) {
            breaker.tryAcquire();
            breaker.onResult(i % 4 == 0);
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(50, 4, 10_000, 100, 2), ticker);
        for (int i = 0; i < 3; i++) {
            breaker.tryAcquire();
            breaker.onResult(true);
        }
        ticker.advance(Duration.ofSeconds(11));
        breaker.tryAcquire();
        breaker.onResult(true);
        assertThat(breaker.state()).as("one failure in the window, below the minimum of 4")
                .isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void anIgnoredTrialIsGivenBack() {
        CircuitBreaker breaker = new CircuitBreaker(new BreakerPolicy(50, 1, 10_000, 50, 1), ticker);
        breaker.tryAcquire();
        breaker.onResult(true);
        ticker.advance(Duration.ofMillis(50));
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.tryAcquire()).as("the one trial is out").isFalse();
        breaker.onIgnored();
        assertThat(breaker.tryAcquire()).as("the client's fault says nothing: the trial is back").isTrue();
        breaker.onResult(false);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }
}

package dev.flotilla.messaging;

import java.time.Duration;

/**
 * How a consumer takes messages.
 *
 * @param prefetch       messages handled at once, at most (default 16)
 * @param maxAttempts    deliveries to the handler before the message goes to the dead letters (default 5)
 * @param firstRetry     the delay before the first retry (default 1 s); each next one is twice the last
 * @param maxRetryDelay  the longest delay (default 1 min)
 * @param handlerTimeout how long a handler may take before its attempt counts as failed (default 30 s)
 */
public record ConsumerOptions(int prefetch, int maxAttempts, Duration firstRetry, Duration maxRetryDelay,
        Duration handlerTimeout) {

    public static final ConsumerOptions DEFAULTS = new ConsumerOptions(16, 5, Duration.ofSeconds(1),
            Duration.ofMinutes(1), Duration.ofSeconds(30));

    public ConsumerOptions {
        if (prefetch < 1 || prefetch > 10_000) {
            throw new IllegalArgumentException("prefetch: " + prefetch + " (expected: 1..10000)");
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: 1..100)");
        }
        for (Duration d : new Duration[] {firstRetry, maxRetryDelay, handlerTimeout}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("delays and timeouts must be positive: " + d);
            }
        }
    }

    public ConsumerOptions withMaxAttempts(int attempts) {
        return new ConsumerOptions(prefetch, attempts, firstRetry, maxRetryDelay, handlerTimeout);
    }

    public ConsumerOptions withRetryDelays(Duration first, Duration max) {
        return new ConsumerOptions(prefetch, maxAttempts, first, max, handlerTimeout);
    }

    public ConsumerOptions withPrefetch(int newPrefetch) {
        return new ConsumerOptions(newPrefetch, maxAttempts, firstRetry, maxRetryDelay, handlerTimeout);
    }

    public ConsumerOptions withHandlerTimeout(Duration timeout) {
        return new ConsumerOptions(prefetch, maxAttempts, firstRetry, maxRetryDelay, timeout);
    }

    /** The delay before retry number {@code retry} (1-based): the first delay, doubled each time, capped. */
    public Duration retryDelay(int retry) {
        long ms = firstRetry.toMillis();
        for (int i = 1; i < retry && ms < maxRetryDelay.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, maxRetryDelay.toMillis()));
    }
}

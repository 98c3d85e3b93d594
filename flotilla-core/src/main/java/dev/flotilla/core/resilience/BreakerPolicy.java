package dev.flotilla.core.resilience;

/**
 * When a circuit breaker opens and how it recovers. It opens when, within the last {@code windowMs},
 * at least {@code minimumRequests} completed and {@code failureRatePercent} of them failed; it stays open
 * for {@code openMs}, then lets {@code halfOpenRequests} trial requests through: all succeed, it closes;
 * one fails, it opens again.
 */
public record BreakerPolicy(int failureRatePercent, int minimumRequests, long windowMs, long openMs,
        int halfOpenRequests) {

    public static final BreakerPolicy DEFAULT = new BreakerPolicy(50, 20, 10_000, 5_000, 3);

    public BreakerPolicy {
        if (failureRatePercent < 1 || failureRatePercent > 100) {
            throw new IllegalArgumentException("failure-rate: " + failureRatePercent + " (expected: 1..100)");
        }
        if (minimumRequests < 1) {
            throw new IllegalArgumentException("minimum-requests: " + minimumRequests + " (expected: >= 1)");
        }
        if (windowMs < 10 || openMs < 1) {
            throw new IllegalArgumentException("window " + windowMs + " ms, open-for " + openMs
                    + " ms (expected: window >= 10 ms, open-for >= 1 ms)");
        }
        if (halfOpenRequests < 1) {
            throw new IllegalArgumentException("half-open-requests: " + halfOpenRequests + " (expected: >= 1)");
        }
    }
}

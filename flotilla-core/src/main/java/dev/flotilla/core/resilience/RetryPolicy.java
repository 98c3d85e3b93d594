package dev.flotilla.core.resilience;

/**
 * Whether a call whose attempt failed may be sent again, to another instance. The retry budget and the
 * one free retry after a stale pooled connection are {@link ResilientCaller}'s, not a policy's.
 */
@FunctionalInterface
public interface RetryPolicy {

    /** Never sends a call twice. */
    RetryPolicy NEVER = (idempotent, failure, attempts) -> false;

    /**
     * Whether to retry after attempt number {@code attempts} failed with {@code failure}. {@code idempotent}
     * says the request may be applied twice without harm (see {@link #isIdempotent}).
     */
    boolean mayRetry(boolean idempotent, UpstreamFailure.Kind failure, int attempts);

    /**
     * Up to {@code maxRetries} retries of what is safe to send again: a request that never reached an
     * instance (a connect failure) whatever its method, one that may have reached it (a timeout, a reset)
     * only when it is idempotent. Nothing else is retried: the client's faults, and no instance at all.
     */
    static RetryPolicy safeRetries(int maxRetries) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("retries: " + maxRetries + " (expected: >= 0)");
        }
        return (idempotent, failure, attempts) -> attempts <= maxRetries
                && (failure == UpstreamFailure.Kind.CONNECT || idempotent && failure.isInstanceFault());
    }

    /** RFC 9110 9.2.2's idempotent methods: sending one twice has the effect of sending it once. */
    static boolean isIdempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
            default -> false;
        };
    }
}

package dev.flotilla.supervisor;

import java.time.Duration;

/**
 * How a crashed instance is restarted: after {@code minBackoff}, doubling up to {@code maxBackoff}; the
 * backoff starts over once an instance has run for {@code stableAfter}; more than {@code maxRestarts}
 * restarts within {@code window} and the supervisor gives up on it (state {@code errored}).
 */
public record RestartPolicy(Duration minBackoff, Duration maxBackoff, Duration stableAfter, Integer maxRestarts,
        Duration window) {

    public static final RestartPolicy DEFAULT = new RestartPolicy(null, null, null, null, null);

    public RestartPolicy {
        minBackoff = minBackoff == null ? Duration.ofMillis(100) : minBackoff;
        maxBackoff = maxBackoff == null ? Duration.ofSeconds(10) : maxBackoff;
        stableAfter = stableAfter == null ? Duration.ofSeconds(10) : stableAfter;
        maxRestarts = maxRestarts == null ? 10 : maxRestarts;
        window = window == null ? Duration.ofMinutes(1) : window;
        if (maxBackoff.compareTo(minBackoff) < 0) {
            throw new IllegalArgumentException("restart: max-backoff is shorter than min-backoff");
        }
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("restart.max-restarts: " + maxRestarts + " (expected: >= 0)");
        }
    }

    /** The wait before restart number {@code attempt} (1 for the first) of a run of quick crashes. */
    public Duration backoff(int attempt) {
        long ms = minBackoff.toMillis() << Math.min(Math.max(0, attempt - 1), 20);
        return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }
}

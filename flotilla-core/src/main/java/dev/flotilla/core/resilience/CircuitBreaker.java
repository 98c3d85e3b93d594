package dev.flotilla.core.resilience;

import dev.flotilla.core.time.Ticker;
import java.util.Arrays;

/**
 * A circuit breaker over a rolling window of outcomes (closed, open, half-open), see {@link BreakerPolicy}.
 *
 * <p>Hand-written rather than {@code vertx-circuit-breaker}: that one wraps an operation it runs and
 * times itself, while the gateway needs to ask "may this request go?" before streaming a body and to
 * report the outcome later, when the upstream's answer (possibly after retries) is known. Thread-safe;
 * each call holds a short lock.
 */
public final class CircuitBreaker {

    /** The breaker's states. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private static final int BUCKETS = 10;

    private final BreakerPolicy policy;
    private final Ticker ticker;
    private final long bucketNanos;
    private final long[] bucketStart = new long[BUCKETS];
    private final int[] calls = new int[BUCKETS];
    private final int[] failures = new int[BUCKETS];
    private State state = State.CLOSED;
    private long openUntil;
    private int trialsLeft;
    private int trialSuccesses;
    private long opened;

    public CircuitBreaker(BreakerPolicy policy) {
        this(policy, Ticker.SYSTEM);
    }

    public CircuitBreaker(BreakerPolicy policy, Ticker ticker) {
        this.policy = policy;
        this.ticker = ticker;
        this.bucketNanos = policy.windowMs() * 1_000_000L / BUCKETS;
    }

    public BreakerPolicy policy() {
        return policy;
    }

    /** True when a request may go now; a half-open breaker lets a few trial requests through. */
    public synchronized boolean tryAcquire() {
        long now = ticker.nanos();
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (now - openUntil < 0) {
                    return false;
                }
                state = State.HALF_OPEN;
                trialsLeft = policy.halfOpenRequests() - 1;
                trialSuccesses = 0;
                return true;
            case HALF_OPEN:
            default:
                if (trialsLeft > 0) {
                    trialsLeft--;
                    return true;
                }
                return false;
        }
    }

    /** Reports the outcome of a request that {@link #tryAcquire} let through. */
    public synchronized void onResult(boolean failed) {
        long now = ticker.nanos();
        if (state == State.HALF_OPEN) {
            if (failed) {
                open(now);
            } else if (++trialSuccesses >= policy.halfOpenRequests()) {
                state = State.CLOSED;
                Arrays.fill(calls, 0);
                Arrays.fill(failures, 0);
            }
            return;
        }
        if (state == State.OPEN) {
            return; // a straggler from before the breaker opened
        }
        long slot = now / bucketNanos;
        int i = (int) Math.floorMod(slot, (long) BUCKETS);
        if (bucketStart[i] != slot) {
            bucketStart[i] = slot;
            calls[i] = 0;
            failures[i] = 0;
        }
        calls[i]++;
        if (failed) {
            failures[i]++;
        }
        int totalCalls = 0;
        int totalFailures = 0;
        for (int b = 0; b < BUCKETS; b++) {
            if (slot - bucketStart[b] < BUCKETS) {
                totalCalls += calls[b];
                totalFailures += failures[b];
            }
        }
        if (failed && totalCalls >= policy.minimumRequests()
                && totalFailures * 100L >= (long) policy.failureRatePercent() * totalCalls) {
            open(now);
        }
    }

    /**
     * Ends a request that {@link #tryAcquire} let through without an outcome that says anything about the
     * service (the client hung up, or sent a body that could not be read): a half-open breaker gets its
     * trial back, a closed one counts nothing.
     */
    public synchronized void onIgnored() {
        if (state == State.HALF_OPEN) {
            trialsLeft++;
        }
    }

    private void open(long now) {
        state = State.OPEN;
        opened++;
        openUntil = now + policy.openMs() * 1_000_000L;
    }

    public synchronized State state() {
        if (state == State.OPEN && ticker.nanos() - openUntil >= 0) {
            return State.HALF_OPEN; // will let a trial through on the next request
        }
        return state;
    }

    /** How many times the breaker has opened. */
    public synchronized long timesOpened() {
        return opened;
    }
}

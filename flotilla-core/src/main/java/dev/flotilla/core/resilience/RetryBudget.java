package dev.flotilla.core.resilience;

import dev.flotilla.core.time.Ticker;

/**
 * Bounds retries so they cannot multiply load during an outage (the retry budget of Finagle and Envoy):
 * each request earns {@code ratio} of a retry, and a small reserve of {@code minPerSecond} retries is
 * refilled every second so that quiet services can still retry. When neither has a token, the failure
 * is returned to the caller instead of being retried.
 */
public final class RetryBudget {

    private static final double MAX_SAVED = 1_000;

    private final double ratio;
    private final int minPerSecond;
    private final Ticker ticker;
    private double earned;
    private int reserve;
    private long reserveSecond;

    public RetryBudget(double ratio, int minPerSecond) {
        this(ratio, minPerSecond, Ticker.SYSTEM);
    }

    public RetryBudget(double ratio, int minPerSecond, Ticker ticker) {
        if (ratio < 0 || ratio > 1) {
            throw new IllegalArgumentException("retry budget ratio: " + ratio + " (expected: 0..1)");
        }
        if (minPerSecond < 0) {
            throw new IllegalArgumentException("retry budget min per second: " + minPerSecond + " (expected: >= 0)");
        }
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        this.ticker = ticker;
    }

    /** Retries up to 20% of requests, and at least 10 per second. */
    public static RetryBudget standard() {
        return new RetryBudget(0.2, 10);
    }

    /** Counts a first attempt. */
    public synchronized void onRequest() {
        earned = Math.min(MAX_SAVED, earned + ratio);
    }

    /** Takes one retry from the budget; false when the budget is spent. */
    public synchronized boolean tryRetry() {
        long second = ticker.nanos() / 1_000_000_000L;
        if (second != reserveSecond) {
            reserveSecond = second;
            reserve = minPerSecond;
        }
        if (reserve > 0) {
            reserve--;
            return true;
        }
        if (earned >= 1) {
            earned -= 1;
            return true;
        }
        return false;
    }
}

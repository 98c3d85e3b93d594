package dev.flotilla.core.balance;

/**
 * When a caller stops sending to an instance that keeps failing (passive outlier detection).
 *
 * <p>After {@code consecutiveFailures} failures in a row an instance is ejected for
 * {@code baseEjectionMs}, doubling with each ejection up to {@code maxEjectionMs}. At most
 * {@code maxEjectedPercent} of a service's instances are out at once, and never the last one: ejecting
 * every instance would turn a partial outage into a full one.
 */
public record OutlierPolicy(int consecutiveFailures, long baseEjectionMs, long maxEjectionMs, int maxEjectedPercent) {

    public static final OutlierPolicy DEFAULT = new OutlierPolicy(3, 2_000, 60_000, 50);

    public OutlierPolicy {
        if (consecutiveFailures < 1) {
            throw new IllegalArgumentException("consecutive-failures: " + consecutiveFailures + " (expected: >= 1)");
        }
        if (baseEjectionMs < 1 || maxEjectionMs < baseEjectionMs) {
            throw new IllegalArgumentException("ejection: base " + baseEjectionMs + " ms, max " + maxEjectionMs
                    + " ms (expected: 0 < base <= max)");
        }
        if (maxEjectedPercent < 0 || maxEjectedPercent > 100) {
            throw new IllegalArgumentException("max-ejected-percent: " + maxEjectedPercent + " (expected: 0..100)");
        }
    }
}

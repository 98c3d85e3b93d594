package dev.flotilla.dashboard;

/**
 * A route's traffic over a span of time, from the difference of two cumulative readings: requests, 5xx, and
 * the latency histogram's bucket counts. Rates and percentiles are computed as Prometheus's {@code rate} and
 * {@code histogram_quantile} compute them, so the control plane's alerts and an exported rule agree.
 */
public record RouteWindow(double seconds, long requests, long serverErrors, double[] bucketSeconds,
        long[] bucketCounts) {

    /** Requests per second. */
    public double rate() {
        return seconds <= 0 ? 0 : requests / seconds;
    }

    /** The share of 5xx answers; 0 with no requests. */
    public double errorRate() {
        return requests == 0 ? 0 : (double) serverErrors / requests;
    }

    /**
     * The {@code q} quantile of latency in seconds, interpolated linearly within its bucket; NaN with no
     * requests.
     */
    public double quantile(double q) {
        if (requests == 0 || bucketCounts == null || bucketCounts.length == 0) {
            return Double.NaN;
        }
        long total = Math.max(requests, bucketCounts[bucketCounts.length - 1]);
        double rank = q * total;
        double lowerBound = 0;
        long lowerCount = 0;
        for (int i = 0; i < bucketCounts.length; i++) {
            if (bucketCounts[i] >= rank) {
                long inBucket = bucketCounts[i] - lowerCount;
                double share = inBucket == 0 ? 1 : (rank - lowerCount) / inBucket;
                return lowerBound + (bucketSeconds[i] - lowerBound) * share;
            }
            lowerBound = bucketSeconds[i];
            lowerCount = bucketCounts[i];
        }
        return bucketSeconds[bucketSeconds.length - 1]; // beyond the last bound: report the last bound
    }
}

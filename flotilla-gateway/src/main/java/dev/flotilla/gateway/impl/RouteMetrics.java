package dev.flotilla.gateway.impl;

import dev.flotilla.core.resilience.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One route's meters, created once so that the request path only increments them: requests and latency
 * by status class, retries, and requests refused before reaching an upstream.
 */
final class RouteMetrics {

    private final Timer[] byStatusClass = new Timer[6];
    private final Counter retries;
    private final Counter rateLimited;
    private final Counter breakerOpen;
    /** The breaker in force (replaced when the routes are reloaded), read by the breaker gauge. */
    private volatile CircuitBreaker breaker;

    RouteMetrics(MeterRegistry registry, String route, String service) {
        for (int c = 1; c <= 5; c++) {
            byStatusClass[c] = Timer.builder("flotilla.gateway.requests")
                    .description("Requests through the gateway, by route and status class, with latency")
                    .tags("route", route, "service", service, "status", c + "xx")
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry);
        }
        retries = Counter.builder("flotilla.gateway.retries").tags("route", route, "service", service)
                .description("Attempts sent again to another instance").register(registry);
        rateLimited = Counter.builder("flotilla.gateway.rejected").tags("route", route, "reason", "rate_limited")
                .description("Requests refused before any instance saw them, by reason").register(registry);
        Gauge.builder("flotilla.gateway.breaker.open", this, m -> m.breaker != null
                        && m.breaker.state() == CircuitBreaker.State.OPEN ? 1 : 0)
                .tags("route", route, "service", service)
                .description("1 while the route's circuit breaker is open (0 without a breaker)").register(registry);
        breakerOpen = Counter.builder("flotilla.gateway.rejected").tags("route", route, "reason", "circuit_open")
                .description("Requests refused before any instance saw them, by reason").register(registry);
    }

    void record(int status, long nanos, int attempts) {
        int c = status / 100;
        byStatusClass[c >= 1 && c <= 5 ? c : 5].record(nanos, TimeUnit.NANOSECONDS);
        if (attempts > 1) {
            retries.increment(attempts - 1);
        }
    }

    /** Answers so far, of which 5xx, and the latency histogram of all of them (cumulative bucket counts). */
    Totals totals() {
        long requests = 0;
        long serverErrors = 0;
        double[] bounds = null;
        long[] counts = null;
        for (int c = 1; c <= 5; c++) {
            HistogramSnapshot snapshot = byStatusClass[c].takeSnapshot();
            requests += snapshot.count();
            if (c == 5) {
                serverErrors = snapshot.count();
            }
            CountAtBucket[] buckets = snapshot.histogramCounts();
            if (bounds == null) {
                bounds = new double[buckets.length];
                counts = new long[buckets.length];
                for (int i = 0; i < buckets.length; i++) {
                    bounds[i] = buckets[i].bucket(TimeUnit.SECONDS);
                }
            }
            for (int i = 0; i < buckets.length && i < counts.length; i++) {
                counts[i] += (long) buckets[i].count();
            }
        }
        return new Totals(requests, serverErrors, bounds, counts);
    }

    record Totals(long requests, long serverErrors, double[] bucketSeconds, long[] bucketCounts) {
    }

    void breaker(CircuitBreaker inForce) {
        this.breaker = inForce;
    }

    void rateLimited() {
        rateLimited.increment();
    }

    void breakerOpen() {
        breakerOpen.increment();
    }
}

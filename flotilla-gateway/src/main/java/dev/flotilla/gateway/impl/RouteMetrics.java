package dev.flotilla.gateway.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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

    void rateLimited() {
        rateLimited.increment();
    }

    void breakerOpen() {
        breakerOpen.increment();
    }
}

package dev.flotilla.service.impl;

import dev.flotilla.core.metrics.PrometheusRegistries;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Requests by method and status class, with a latency histogram, and the JVM; served on {@code /metrics}. */
final class ServiceMetrics {

    private final PrometheusMeterRegistry registry = PrometheusRegistries.create();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final String service;

    ServiceMetrics(String service) {
        this.service = service;
    }

    /** Times the request from now until its response has been written. */
    void time(RoutingContext ctx) {
        long started = System.nanoTime();
        String method = ctx.request().method().name();
        ctx.addBodyEndHandler(v -> timer(method, ctx.response().getStatusCode() / 100)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        ctx.next();
    }

    private Timer timer(String method, int statusClass) {
        return timers.computeIfAbsent(method + statusClass, k -> Timer.builder("flotilla.service.requests")
                .description("Requests served, by method and status class")
                .tags("service", service, "method", method, "status", statusClass + "xx")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry));
    }

    String scrape() {
        return registry.scrape();
    }
}

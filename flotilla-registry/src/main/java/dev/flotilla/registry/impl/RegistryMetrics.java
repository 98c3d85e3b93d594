package dev.flotilla.registry.impl;

import dev.flotilla.core.metrics.PrometheusRegistries;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.RegistryEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The registry's Prometheus metrics ({@code /metrics}). */
final class RegistryMetrics implements RegistryView.ChangeListener {

    private final PrometheusMeterRegistry registry = PrometheusRegistries.create();
    private final Map<RegistryEvent.Type, Counter> events = new EnumMap<>(RegistryEvent.Type.class);
    private final Map<String, Timer> requests = new HashMap<>();

    RegistryMetrics(RegistryView view, WatchHub hub, HealthChecker checker) {
        for (RegistryEvent.Type type : RegistryEvent.Type.values()) {
            events.put(type, Counter.builder("flotilla.registry.events").tag("type", type.wireName())
                    .description("Changes applied, by kind").register(registry));
        }
        for (InstanceStatus status : InstanceStatus.values()) {
            Gauge.builder("flotilla.registry.instances", view, v -> count(v, status)).tag("status", status.wireName())
                    .description("Instances known, by status").register(registry);
        }
        Gauge.builder("flotilla.registry.revision", view, RegistryView::revision)
                .description("The last revision applied").register(registry);
        Gauge.builder("flotilla.registry.watchers", hub, WatchHub::size)
                .description("Open watch streams").register(registry);
        Gauge.builder("flotilla.registry.health.checks", checker, HealthChecker::checksRun)
                .description("Health checks run by this registry").register(registry);
        Gauge.builder("flotilla.registry.health.failures", checker, HealthChecker::checksFailed)
                .description("Health checks that failed").register(registry);
    }

    /** Records one API call: {@code op} names the endpoint, {@code status} the HTTP answer. */
    void request(String op, int status, long nanos) {
        requests.computeIfAbsent(op + ' ' + status, k -> Timer.builder("flotilla.registry.requests")
                        .tag("op", op).tag("status", Integer.toString(status))
                        .description("API requests, by endpoint and status").register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    String scrape() {
        return registry.scrape();
    }

    @Override
    public void onEvent(RegistryEvent event) {
        events.get(event.type()).increment();
    }

    @Override
    public void onReset() {
    }

    private static double count(RegistryView view, InstanceStatus status) {
        int n = 0;
        for (RegistryStore.Stored stored : view.all()) {
            Instance instance = stored.instance();
            if (instance.status() == status) {
                n++;
            }
        }
        return n;
    }
}

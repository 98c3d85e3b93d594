package dev.flotilla.gateway.impl;

import dev.flotilla.core.balance.Endpoint;
import dev.flotilla.core.balance.Upstream;
import dev.flotilla.core.metrics.PrometheusRegistries;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The gateway's Prometheus registry: per-route meters, per-instance counters, the JVM. */
final class GatewayMetrics {

    private final PrometheusMeterRegistry registry = PrometheusRegistries.create();
    private final Map<String, RouteMetrics> routes = new ConcurrentHashMap<>();
    private final Set<Endpoint> registered = ConcurrentHashMap.newKeySet();

    RouteMetrics forRoute(String route, String service) {
        return routes.computeIfAbsent(route + "\u0000" + service, k -> new RouteMetrics(registry, route, service));
    }

    /** Registers counters for instances seen since the last scrape, then renders the text format. */
    String scrape(Collection<Upstream> upstreams) {
        for (Upstream upstream : upstreams) {
            for (Endpoint endpoint : upstream.endpoints()) {
                if (registered.add(endpoint)) {
                    String service = upstream.service();
                    FunctionCounter.builder("flotilla.gateway.upstream.requests", endpoint, Endpoint::requests)
                            .description("Requests sent to an instance")
                            .tags("service", service, "instance", endpoint.id()).register(registry);
                    FunctionCounter.builder("flotilla.gateway.upstream.ejections", endpoint,
                            Endpoint::totalEjections).description("Times an instance was ejected as an outlier")
                            .tags("service", service, "instance", endpoint.id()).register(registry);
                    Gauge.builder("flotilla.gateway.upstream.in.flight", endpoint, Endpoint::inFlight)
                            .description("Requests an instance is answering now")
                            .tags("service", service, "instance", endpoint.id()).register(registry);
                }
            }
        }
        return registry.scrape();
    }
}

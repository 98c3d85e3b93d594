package dev.flotilla.service.impl;

import dev.flotilla.core.metrics.PrometheusRegistries;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Requests served, as Spring Boot names them for Grafana's dashboards: {@code http_server_requests_seconds}
 * by method, route template ({@code uri}), status and outcome, with a latency histogram; and the JVM. Served
 * on {@code /metrics}. The request's span gets the same route as its name and {@code http.route}.
 */
final class ServiceMetrics {

    private static final String FAILED_ROUTE = "flotilla.failed-route";

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
        Span span = Span.current();
        ctx.addHeadersEndHandler(v -> {
            String route = route(ctx);
            span.updateName(method + " " + route);
            span.setAttribute("http.route", route);
        });
        ctx.addBodyEndHandler(v -> timer(method, route(ctx), ctx.response().getStatusCode())
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        ctx.next();
    }

    /**
     * The template of the route that answered ({@code /users/:id}); {@code /**} for a handler of every path
     * (static files), and {@code NOT_FOUND} for a 404 of no route, as Spring names them: never the raw path,
     * whose every value would make a new time series.
     */
    private static String route(RoutingContext ctx) {
        String failed = ctx.get(FAILED_ROUTE);
        if (failed != null) {
            return failed;
        }
        Route route = ctx.currentRoute();
        if (route != null && route.getPath() != null) {
            return route.getPath();
        }
        return ctx.response().getStatusCode() == 404 ? "NOT_FOUND" : "/**";
    }

    /**
     * Gives every route with a path a failure handler that remembers it: a failed request is answered by the
     * catch-all failure handler, whose route is the one current by then, and its route would be lost.
     */
    static void rememberFailedRoutes(Router router) {
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null) {
                route.failureHandler(ctx -> {
                    ctx.put(FAILED_ROUTE, route.getPath());
                    ctx.next();
                });
            }
        }
    }

    private Timer timer(String method, String uri, int status) {
        return timers.computeIfAbsent(method + ' ' + status + ' ' + uri, k -> Timer.builder("http.server.requests")
                .description("Requests served, by method, route, status and outcome")
                .tags("service", service, "method", method, "uri", uri, "status", Integer.toString(status),
                        "outcome", outcome(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry));
    }

    private static String outcome(int status) {
        return switch (status / 100) {
            case 1 -> "INFORMATIONAL";
            case 2 -> "SUCCESS";
            case 3 -> "REDIRECTION";
            case 4 -> "CLIENT_ERROR";
            case 5 -> "SERVER_ERROR";
            default -> "UNKNOWN";
        };
    }

    String scrape() {
        return registry.scrape();
    }
}

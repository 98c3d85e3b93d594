package dev.flotilla.gateway.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.gateway.RouteSpec;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * What a request passes before it is forwarded, in order: the head's own checks (an {@code Expect} the
 * gateway understands, a clean path), a route (else 404 or 405), then the route's filters: the CORS
 * preflight, the body's declared size, the rate limit. The first step that answers ends the request.
 */
final class Admission {

    /** One of a route's filters: continues the request (true), or has answered it (false). */
    @FunctionalInterface
    interface Filter {
        Future<Boolean> apply(Exchange exchange);
    }

    private static final Future<Boolean> CONTINUE = Future.succeededFuture(true);
    private static final Future<Boolean> ANSWERED = Future.succeededFuture(false);
    private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");

    private final GatewayState state;
    private final ClientConnections connections;
    /** Vert.x traces requests: the request's SERVER span is named after its route. */
    private final boolean traced;
    /** Told when the client's side of an admitted request fails (it hangs up, or its body is malformed). */
    private final BiConsumer<Exchange, Throwable> bodyFailed;
    private final List<Filter> routeFilters = List.of(this::corsPreflight, this::bodyLimit, this::rateLimit);

    Admission(GatewayState state, ClientConnections connections, boolean traced,
            BiConsumer<Exchange, Throwable> bodyFailed) {
        this.state = state;
        this.connections = connections;
        this.traced = traced;
        this.bodyFailed = bodyFailed;
    }

    /** The request's exchange when it may be forwarded; null when it was answered here. */
    Future<Exchange> admit(HttpServerRequest request) {
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
            return refused(request, new HttpFailure(417, "expectation_failed",
                    "the only expectation understood is 100-continue"), true);
        }
        String pathProblem = RequestChecks.pathProblem(request.path());
        if (pathProblem != null) {
            return refused(request, new HttpFailure(400, "bad_path", pathProblem), true);
        }
        String path = RequestChecks.normalizePath(request.path());
        if (path == null) {
            return refused(request, new HttpFailure(400, "bad_path", "the path climbs above the root with '..'"),
                    true);
        }
        String method = request.method().name();
        HostAndPort authority = request.authority();
        String host = authority == null ? null : authority.host().toLowerCase(Locale.ROOT);
        RouteTable.Match match = state.routes().match(host, method, path);
        long length = contentLength(request);
        boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        boolean unreadBody = length > 0 || chunked;
        if (match == null) {
            return refused(request, new HttpFailure(404, "no_route", "no route for " + method + " " + path),
                    unreadBody);
        }
        CompiledRoute route = match.route();
        if (route == null) {
            request.response().putHeader(HttpHeaders.ALLOW, String.join(", ", match.allowed()));
            return refused(request, new HttpFailure(405, "method_not_allowed",
                    method + " is not allowed on " + path), unreadBody);
        }
        if (traced) {
            Span span = Span.current();
            span.updateName(method + " " + route.spec.path());
            span.setAttribute(HTTP_ROUTE, route.spec.path());
        }
        String query = request.query();
        String uri = query == null ? route.forwardPath(path) : route.forwardPath(path) + "?" + query;
        Exchange exchange = new Exchange(request, route, uri, length, chunked);
        // Before anything asynchronous: a malformed body can be decoded in the same read as the head.
        request.exceptionHandler(e -> bodyFailed.accept(exchange, e));
        return filter(exchange, 0);
    }

    /** Runs the route's filters from {@code from}; synchronously while they answer at once. */
    private Future<Exchange> filter(Exchange exchange, int from) {
        for (int i = from; i < routeFilters.size(); i++) {
            Future<Boolean> passed = routeFilters.get(i).apply(exchange);
            if (!passed.isComplete()) {
                int next = i + 1;
                return passed.compose(ok -> ok ? filter(exchange, next) : Future.succeededFuture());
            }
            if (!passed.result()) {
                return Future.succeededFuture();
            }
        }
        return Future.succeededFuture(exchange);
    }

    private Future<Boolean> corsPreflight(Exchange exchange) {
        RouteSpec.Cors cors = exchange.route.spec.cors();
        if (cors == null || !Cors.isPreflight(exchange.request)) {
            return CONTINUE;
        }
        Cors.preflight(exchange.request, cors);
        return ANSWERED;
    }

    private Future<Boolean> bodyLimit(Exchange exchange) {
        if (exchange.length <= exchange.route.maxBody) {
            return CONTINUE;
        }
        connections.reject(exchange.request, new HttpFailure(413, "payload_too_large", "the body is "
                + exchange.length + " bytes; this route takes at most " + exchange.route.maxBody), true);
        return ANSWERED;
    }

    private Future<Boolean> rateLimit(Exchange exchange) {
        CompiledRoute route = exchange.route;
        if (route.rateLimiter == null) {
            return CONTINUE;
        }
        HttpServerRequest request = exchange.request;
        return route.rateLimiter.tryAcquire(rateKey(request, route.spec.rateLimit())).transform(ar -> {
            if (ar.succeeded() && ar.result()) {
                return CONTINUE;
            }
            route.metrics.rateLimited();
            request.response().putHeader("Retry-After", "1");
            connections.reject(request, new HttpFailure(429, "rate_limited", "too many requests; slow down"),
                    exchange.hasBody);
            return ANSWERED;
        });
    }

    private Future<Exchange> refused(HttpServerRequest request, HttpFailure failure, boolean close) {
        connections.reject(request, failure, close);
        return Future.succeededFuture();
    }

    private static long contentLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return value == null ? -1 : RequestChecks.contentLength(value);
    }

    private static String rateKey(HttpServerRequest request, RouteSpec.RateLimit limit) {
        if (limit.key().startsWith("header:")) {
            String value = request.getHeader(limit.key().substring(7));
            return limit.key() + "=" + (value == null ? "" : value);
        }
        return request.remoteAddress().hostAddress();
    }
}

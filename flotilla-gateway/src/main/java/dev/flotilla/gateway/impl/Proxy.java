package dev.flotilla.gateway.impl;

import dev.flotilla.core.balance.Endpoint;
import dev.flotilla.core.http.ErrorResponses;
import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.resilience.Failover;
import dev.flotilla.core.resilience.UpstreamFailure;
import dev.flotilla.core.trace.Tracing;
import dev.flotilla.gateway.RouteSpec;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The request path of the gateway: checks, route, rate limit, breaker, then the request is streamed to
 * an instance chosen by core's {@link Failover} and the answer streamed back, with back-pressure both
 * ways. One instance per event loop, each with its own connection pools.
 *
 * <p>Hand-written on Vert.x's HTTP client and server rather than on {@code vertx-http-proxy}: that
 * proxy cannot send a request again to another instance, and its errors are not the JSON errors of
 * docs/architecture.md.
 */
final class Proxy implements Handler<HttpServerRequest> {

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";
    private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    private static final Buffer NO_BODY = Buffer.buffer();
    /** Bodies up to this size with a known length are sent in one write (see {@link #respond}). */
    private static final long SMALL_BODY_BYTES = 16 * 1024;

    private final GatewayState state;
    private final HttpClient client;
    /** Opens a new connection for every request: for the retry after a stale pooled connection. */
    private final HttpClient freshClient;
    private final Vertx vertx;
    /** Vert.x traces this gateway's requests: each gets a SERVER span, whose context goes upstream. */
    private final boolean traced;
    private final ClientConnections connections;
    private final long bodyIdleTimeoutMs;
    /**
     * Upstream connections that have carried a whole exchange: a failure on one of them before any answer
     * is a stale keep-alive connection, not a failing instance. Weak: the pool owns the connections.
     */
    private final Set<HttpConnection> reused = Collections.newSetFromMap(new WeakHashMap<>());

    Proxy(GatewayState state, HttpClient client, HttpClient freshClient, Vertx vertx, ClientConnections connections,
            long bodyIdleTimeoutMs) {
        this.state = state;
        this.client = client;
        this.freshClient = freshClient;
        this.vertx = vertx;
        this.traced = Tracing.isTracing(vertx);
        this.connections = connections;
        this.bodyIdleTimeoutMs = bodyIdleTimeoutMs;
    }

    /** One request's state while it is proxied. */
    private static final class Exchange {
        final HttpServerRequest request;
        final CompiledRoute route;
        final String uri;
        final long started = System.nanoTime();
        final long length;
        final boolean hasBody;
        /** The instance token of the client's sticky cookie, read once: null when the route is not sticky. */
        final String stickyToken;
        HttpClientRequest upstreamRequest;
        long bodyBytes;
        long lastBodyNanos;
        boolean bodyDone;
        /** The upstream stopped taking the body (its write queue is full): a stall is then its fault. */
        boolean upstreamBlocked;
        /** Set when the client is at fault (hung up, stalled, bad body): what the attempt then fails with. */
        UpstreamFailure clientFault;
        /** The last attempt met a stale pooled connection: the next one opens a new connection. */
        boolean freshConnection;

        Exchange(HttpServerRequest request, CompiledRoute route, String uri, long length, boolean chunked) {
            this.request = request;
            this.route = route;
            this.uri = uri;
            this.length = length;
            this.hasBody = length > 0 || chunked;
            this.bodyDone = !hasBody;
            this.stickyToken = route.stickyToken(request);
        }
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (!connections.requestStarted(request)) {
            return; // pipelined behind a request whose connection the gateway is closing
        }
        request.pause();
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
            reject(request, new HttpFailure(417, "expectation_failed", "the only expectation understood is "
                    + "100-continue"), true);
            return;
        }
        String pathProblem = RequestChecks.pathProblem(request.path());
        if (pathProblem != null) {
            reject(request, new HttpFailure(400, "bad_path", pathProblem), true);
            return;
        }
        String path = RequestChecks.normalizePath(request.path());
        if (path == null) {
            reject(request, new HttpFailure(400, "bad_path", "the path climbs above the root with '..'"), true);
            return;
        }
        String method = request.method().name();
        HostAndPort authority = request.authority();
        String host = authority == null ? null : authority.host().toLowerCase(Locale.ROOT);
        RouteTable.Match match = state.routes().match(host, method, path);
        long length = contentLength(request);
        boolean chunked = request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        boolean unreadBody = length > 0 || chunked;
        if (match == null) {
            reject(request, new HttpFailure(404, "no_route", "no route for " + method + " " + path), unreadBody);
            return;
        }
        CompiledRoute route = match.route();
        if (traced && route != null) {
            Span span = Span.current();
            span.updateName(method + " " + route.spec.path());
            span.setAttribute(HTTP_ROUTE, route.spec.path());
        }
        if (route == null) {
            request.response().putHeader(HttpHeaders.ALLOW, String.join(", ", match.allowed()));
            reject(request, new HttpFailure(405, "method_not_allowed", method + " is not allowed on " + path),
                    unreadBody);
            return;
        }
        if (route.spec.cors() != null && Cors.isPreflight(request)) {
            Cors.preflight(request, route.spec.cors());
            return;
        }
        if (length > route.maxBody) {
            reject(request, new HttpFailure(413, "payload_too_large", "the body is " + length
                    + " bytes; this route takes at most " + route.maxBody), true);
            return;
        }
        String query = request.query();
        String uri = query == null ? route.forwardPath(path) : route.forwardPath(path) + "?" + query;
        Exchange exchange = new Exchange(request, route, uri, length, chunked);
        // Before anything asynchronous: a malformed body can be decoded in the same read as the head.
        request.exceptionHandler(e -> bodyFailed(exchange, e));
        if (route.rateLimiter == null) {
            admit(exchange);
            return;
        }
        route.rateLimiter.tryAcquire(rateKey(request, route.spec.rateLimit())).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                admit(exchange);
            } else {
                route.metrics.rateLimited();
                request.response().putHeader("Retry-After", "1");
                reject(request, new HttpFailure(429, "rate_limited", "too many requests; slow down"), unreadBody);
            }
        });
    }

    private void admit(Exchange exchange) {
        CompiledRoute route = exchange.route;
        HttpServerRequest request = exchange.request;
        if (route.breaker != null && !route.breaker.tryAcquire()) {
            route.metrics.breakerOpen();
            if (route.spec.fallback() != null) {
                fallback(request, route.spec.fallback(), exchange.hasBody);
            } else {
                reject(request, new HttpFailure(503, "circuit_open", "'" + route.spec.service()
                        + "' is failing; the circuit breaker of route '" + route.spec.id() + "' is open"),
                        exchange.hasBody);
            }
            return;
        }
        request.response().closeHandler(v -> {
            if (!request.response().ended()) {
                clientFault(exchange, "the client closed the connection before the answer was complete");
            }
        });
        if (isWebSocketUpgrade(request)) {
            tunnel(exchange);
            return;
        }
        boolean idempotent = !exchange.hasBody && IDEMPOTENT.contains(request.method().name());
        Failover.Call call = new Failover.Call(route.strategy, route.hashKey(request), idempotent,
                route.spec.retries(), exchange.stickyToken);
        boolean count5xx = route.spec.outlier().count5xx();
        Failover.execute(route.upstream, call, endpoint -> send(exchange, endpoint),
                (HttpClientResponse response) -> count5xx && response.statusCode() >= 500)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        respond(exchange, ar.result());
                    } else {
                        failed(exchange, UpstreamFailure.of(ar.cause()));
                    }
                });
    }

    /**
     * The client is at fault: the attempt in progress is abandoned (its upstream connection closed, so the
     * instance stops working on it) and fails with a {@link UpstreamFailure.Kind#CLIENT} failure, which is
     * neither retried nor held against the instance.
     */
    private static void clientFault(Exchange exchange, String why) {
        if (exchange.clientFault == null) {
            exchange.clientFault = UpstreamFailure.client(why);
        }
        if (exchange.upstreamRequest != null) {
            exchange.upstreamRequest.reset(0, exchange.clientFault);
        }
    }

    private Future<HttpClientResponse> send(Exchange exchange, Endpoint endpoint) {
        if (exchange.clientFault != null) {
            return Future.failedFuture(exchange.clientFault); // the client left between two attempts
        }
        HttpServerRequest request = exchange.request;
        HttpClient pool = exchange.freshConnection ? freshClient : client;
        return pool.request(requestOptions(exchange, request.method(), endpoint)).transform(ar -> {
            if (ar.failed()) {
                return Future.failedFuture(UpstreamFailure.connect(ar.cause()));
            }
            HttpClientRequest upstream = ar.result();
            exchange.upstreamRequest = upstream;
            upstream.earlyHintsHandler(hints -> {
                if (!request.response().headWritten()) {
                    request.response().writeEarlyHints(hints);
                }
            });
            upstreamHeaders(exchange, upstream.headers());
            Future<HttpClientResponse> response;
            if (!exchange.hasBody) {
                response = upstream.send(NO_BODY);
            } else {
                if (exchange.length < 0) {
                    upstream.setChunked(true);
                } else {
                    upstream.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(exchange.length));
                }
                streamBody(exchange, upstream);
                response = upstream.response();
            }
            HttpConnection connection = upstream.connection();
            return response.recover(cause -> Future.failedFuture(classify(exchange, connection, cause)));
        });
    }

    /** Whose fault a failed attempt was: the client's, the pool's (a stale connection), or the instance's. */
    private UpstreamFailure classify(Exchange exchange, HttpConnection connection, Throwable cause) {
        if (exchange.clientFault != null) {
            return exchange.clientFault;
        }
        UpstreamFailure failure = UpstreamFailure.of(cause);
        if (failure.kind() == UpstreamFailure.Kind.RESET && cause instanceof HttpClosedException
                && reused.contains(connection)) {
            exchange.freshConnection = true;
            return UpstreamFailure.stale(cause);
        }
        return failure;
    }

    /**
     * Where an attempt goes, and how long it may wait for the answer's head (Vert.x ends the limit there).
     * A retryable request (idempotent, no body) waits the route's attempt timeout, so that a frozen instance
     * holds it briefly; other requests without a body wait the route's timeout. A request with a body has
     * no limit while the body is streamed (the client's pace is watched instead, {@link #watchBody}), and
     * the route's timeout from its end. Headers are written straight into the client request afterwards:
     * passing them here would copy every header once more per request.
     */
    private static RequestOptions requestOptions(Exchange exchange, HttpMethod method, Endpoint endpoint) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setURI(exchange.uri)
                .setConnectTimeout(exchange.route.connectTimeoutMs);
        if (!exchange.hasBody) {
            options.setIdleTimeout(IDEMPOTENT.contains(method.name()) ? exchange.route.retryableAttemptTimeoutMs
                    : exchange.route.timeoutMs);
        }
        return options;
    }

    /**
     * Streams the client's body upstream with back-pressure, enforcing the size limit and an idle limit.
     * A client waiting for {@code 100 Continue} gets it here, from the gateway, as nginx does: the request
     * has passed every check, and the instance is sent no {@code Expect}.
     */
    private void streamBody(Exchange exchange, HttpClientRequest upstream) {
        HttpServerRequest request = exchange.request;
        long max = exchange.route.maxBody;
        exchange.lastBodyNanos = System.nanoTime();
        request.handler(chunk -> {
            exchange.bodyBytes += chunk.length();
            exchange.lastBodyNanos = System.nanoTime();
            if (exchange.bodyBytes > max) {
                request.handler(null);
                reject(request, new HttpFailure(413, "payload_too_large",
                        "the body is larger than this route's limit of " + max + " bytes"), true);
                clientFault(exchange, "the body passed the route's limit");
                return;
            }
            upstream.write(chunk);
            if (upstream.writeQueueFull()) {
                exchange.upstreamBlocked = true;
                request.pause();
                upstream.drainHandler(v -> {
                    exchange.upstreamBlocked = false;
                    exchange.lastBodyNanos = System.nanoTime();
                    request.resume();
                });
            }
        });
        request.endHandler(v -> {
            exchange.bodyDone = true;
            upstream.end();
            upstream.idleTimeout(exchange.route.timeoutMs); // the instance's turn to answer
        });
        watchBody(exchange, upstream);
        if (request.version() != HttpVersion.HTTP_1_0
                && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            request.response().writeContinue();
        }
        request.resume();
    }

    /**
     * The client's side of the request failed before its body was complete: it hung up, or the decoder
     * refused the body (a malformed chunk). Both are the client's fault. Vert.x closes the connection right
     * after this handler, so a 400 is flushed now or never.
     */
    private void bodyFailed(Exchange exchange, Throwable e) {
        if (exchange.bodyDone) {
            return;
        }
        if (e instanceof HttpClosedException) {
            clientFault(exchange, "the client closed the connection before its body was complete");
            return;
        }
        HttpServerRequest request = exchange.request;
        reject(request, HttpFailure.badRequest("the request body is malformed: " + e.getMessage()), true);
        ClientConnections.flush(request.connection());
        clientFault(exchange, "the request body is malformed");
    }

    /**
     * Watches the body's pace: a client that stops sending gets 408 (its fault, nothing held against the
     * instance); an instance that stops reading it is failed with a timeout (its fault).
     */
    private void watchBody(Exchange exchange, HttpClientRequest upstream) {
        vertx.setTimer(bodyIdleTimeoutMs, id -> {
            if (exchange.bodyDone || exchange.request.response().ended() || exchange.clientFault != null) {
                return;
            }
            long idleMs = (System.nanoTime() - exchange.lastBodyNanos) / 1_000_000;
            if (idleMs < bodyIdleTimeoutMs) {
                watchBody(exchange, upstream);
            } else if (exchange.upstreamBlocked) {
                upstream.reset(0, new TimeoutException("the instance stopped reading the request body for "
                        + idleMs + " ms"));
            } else {
                reject(exchange.request, new HttpFailure(408, "request_timeout",
                        "the request body stopped arriving for " + idleMs + " ms"), true);
                clientFault(exchange, "the client stopped sending its body");
            }
        });
    }

    private void respond(Exchange exchange, Failover.Outcome<HttpClientResponse> outcome) {
        HttpClientResponse upstream = outcome.result();
        HttpServerRequest request = exchange.request;
        HttpServerResponse response = request.response();
        CompiledRoute route = exchange.route;
        if (route.breaker != null) {
            route.breaker.onResult(upstream.statusCode() >= 500);
        }
        if (response.ended() || response.closed()) {
            upstream.request().reset();
            return;
        }
        int status = upstream.statusCode();
        response.setStatusCode(status);
        copyEndToEnd(upstream.headers(), response.headers());
        route.stick(exchange.stickyToken, response.headers(), outcome.endpoint());
        applyRules(response.headers(), route.spec.responseHeaders());
        if (route.spec.cors() != null) {
            Cors.decorate(request, response, route.spec.cors());
        }
        String length = upstream.headers().get(HttpHeaders.CONTENT_LENGTH);
        if (length == null && mayHaveBody(request.method(), status)) {
            response.setChunked(true);
        }
        Future<Void> copied;
        long bodyBytes = length == null ? -1 : RequestChecks.contentLength(length);
        if (bodyBytes >= 0 && bodyBytes <= SMALL_BODY_BYTES) {
            // A small body is gathered and sent with the head in one write, rather than head, body and end
            // as the pipe sends them: one system call instead of two or three on the common path.
            copied = upstream.body().compose(body -> response.closed() ? Future.succeededFuture() : response.end(body));
        } else {
            copied = upstream.pipe().endOnFailure(false).to(response);
        }
        copied.onComplete(ar -> {
            route.metrics.record(status, System.nanoTime() - exchange.started, outcome.attempts());
            if (ar.failed()) {
                upstream.request().reset();
                request.connection().close(); // a truncated body must not look complete
            } else {
                reused.add(upstream.request().connection());
            }
        });
    }

    private void failed(Exchange exchange, UpstreamFailure failure) {
        CompiledRoute route = exchange.route;
        if (route.breaker != null) {
            if (failure.kind().isClientOrPoolFault()) {
                route.breaker.onIgnored();
            } else {
                route.breaker.onResult(true);
            }
        }
        if (failure.kind() == UpstreamFailure.Kind.CLIENT) {
            return; // answered already (400, 408, 413), or nobody is left to answer
        }
        HttpServerRequest request = exchange.request;
        if (request.response().headWritten() || request.response().closed()) {
            if (!request.response().ended()) {
                request.connection().close();
            }
            return;
        }
        if (failure.kind() == UpstreamFailure.Kind.NO_INSTANCE && route.spec.fallback() != null) {
            fallback(request, route.spec.fallback(), !exchange.bodyDone);
            return;
        }
        HttpFailure http = failure.toHttp(route.spec.service());
        if (traced) {
            Span.current().setStatus(StatusCode.ERROR, http.code() + ": " + http.getMessage());
        }
        route.metrics.record(http.status(), System.nanoTime() - exchange.started, 1);
        reject(request, http, !exchange.bodyDone);
    }

    /** Opens a WebSocket (or other Upgrade) tunnel: the handshake is proxied, then bytes flow both ways. */
    private void tunnel(Exchange exchange) {
        HttpServerRequest request = exchange.request;
        CompiledRoute route = exchange.route;
        Failover.Call call = new Failover.Call(route.strategy, route.hashKey(request), false, route.spec.retries(),
                exchange.stickyToken);
        Failover.execute(route.upstream, call, endpoint -> client.request(
                        requestOptions(exchange, HttpMethod.GET, endpoint)).transform(ar -> {
                            if (ar.failed()) {
                                return Future.failedFuture(UpstreamFailure.connect(ar.cause()));
                            }
                            MultiMap headers = ar.result().headers();
                            upstreamHeaders(exchange, headers);
                            headers.set(HttpHeaders.CONNECTION, "Upgrade");
                            headers.set(HttpHeaders.UPGRADE, request.getHeader(HttpHeaders.UPGRADE));
                            return ar.result().connect();
                        }),
                (HttpClientResponse response) -> false)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        failed(exchange, UpstreamFailure.of(ar.cause()));
                        return;
                    }
                    HttpClientResponse upstream = ar.result().result();
                    if (upstream.statusCode() != 101) {
                        // The connection was made for this upgrade alone and never returns to the pool.
                        HttpConnection connection = upstream.request().connection();
                        respond(exchange, ar.result());
                        upstream.end().onComplete(done -> connection.close());
                        return;
                    }
                    if (route.breaker != null) {
                        route.breaker.onResult(false);
                    }
                    HttpServerResponse response = request.response();
                    response.setStatusCode(101);
                    response.headers().addAll(upstream.headers());
                    route.stick(exchange.stickyToken, response.headers(), ar.result().endpoint());
                    NetSocket upstreamSocket = upstream.netSocket();
                    request.toNetSocket().onComplete(sar -> {
                        if (sar.failed()) {
                            upstreamSocket.close();
                            return;
                        }
                        NetSocket clientSocket = sar.result();
                        clientSocket.pipeTo(upstreamSocket);
                        upstreamSocket.pipeTo(clientSocket);
                        route.metrics.record(101, System.nanoTime() - exchange.started, ar.result().attempts());
                    });
                });
    }

    /** Writes the request's headers as sent upstream: end-to-end ones, forwarding headers, rules. */
    private void upstreamHeaders(Exchange exchange, MultiMap headers) {
        HttpServerRequest request = exchange.request;
        copyEndToEnd(request.headers(), headers);
        headers.remove(HttpHeaders.HOST);
        headers.remove(HttpHeaders.CONTENT_LENGTH); // framed by the gateway: see send()
        headers.remove(HttpHeaders.EXPECT); // answered by the gateway: see streamBody()
        String client = request.remoteAddress().hostAddress();
        String forwardedFor = request.getHeader("X-Forwarded-For");
        headers.set("X-Forwarded-For", forwardedFor == null ? client : forwardedFor + ", " + client);
        headers.set("X-Forwarded-Proto", request.scheme() == null ? "http" : request.scheme());
        HostAndPort host = request.authority(); // Vert.x 5 serves Host through authority(), not headers()
        if (host != null) {
            headers.set("X-Forwarded-Host", host.port() < 0 ? host.host() : host.host() + ":" + host.port());
        }
        if (traced) {
            // The service's span is the child of the gateway's request span: one span per request here, not one
            // more per attempt (with a CLIENT span per attempt, tracing every request added 36 % to the CPU per
            // request in bench/observability.sh, against 31 % without); a retry is an event on the request's span.
            headers.remove(TRACEPARENT);
            headers.remove(TRACESTATE);
            W3CTraceContextPropagator.getInstance().inject(Context.current(), headers, MultiMap::set);
        }
        applyRules(headers, exchange.route.spec.requestHeaders());
    }

    /** Copies headers except hop-by-hop ones, including those the message's Connection header names. */
    private static void copyEndToEnd(MultiMap from, MultiMap to) {
        String connection = from.get(HttpHeaders.CONNECTION);
        List<String> listed = connection == null ? List.of() : connectionOptions(connection);
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey();
            if (!isHopByHop(name) && !containsIgnoreCase(listed, name)) {
                to.add(name, header.getValue());
            }
        }
    }

    /**
     * RFC 9110 7.6.1 connection-specific fields, plus the old Proxy-Connection and Keep-Alive. A switch on
     * the length rather than a case-insensitive set: this runs for every header of every message, and the
     * set's lookups showed in profiles.
     */
    static boolean isHopByHop(String name) {
        return switch (name.length()) {
            case 2 -> name.equalsIgnoreCase("te");
            case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 16 -> name.equalsIgnoreCase("proxy-connection");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            case 18 -> name.equalsIgnoreCase("proxy-authenticate");
            case 19 -> name.equalsIgnoreCase("proxy-authorization");
            default -> false;
        };
    }

    /** The other header names a Connection header lists (usually none: "keep-alive" and "close" are common). */
    private static List<String> connectionOptions(String connection) {
        if (connection.equalsIgnoreCase("keep-alive") || connection.equalsIgnoreCase("close")) {
            return List.of(); // nearly every message: nothing to split
        }
        List<String> names = null;
        for (String option : connection.split(",")) {
            String name = option.trim();
            if (!name.isEmpty() && !name.equalsIgnoreCase("close") && !isHopByHop(name) && !isFraming(name)) {
                if (names == null) {
                    names = new ArrayList<>(2);
                }
                names.add(name);
            }
        }
        return names == null ? List.of() : names;
    }

    /**
     * Headers a Connection header may not remove (RFC 9110 7.6.1 lets a sender list any field): the body's
     * framing and the target host. The gateway frames the upstream request itself.
     */
    private static boolean isFraming(String name) {
        return name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("host");
    }

    private static boolean containsIgnoreCase(List<String> names, String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static void applyRules(MultiMap headers, RouteSpec.HeaderRules rules) {
        for (String name : rules.remove()) {
            headers.remove(name);
        }
        rules.add().forEach(headers::add);
    }

    private static boolean isWebSocketUpgrade(HttpServerRequest request) {
        String connection = request.getHeader(HttpHeaders.CONNECTION);
        return request.method() == HttpMethod.GET
                && "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))
                && connection != null && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }

    private static boolean mayHaveBody(HttpMethod method, int status) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
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

    private static void fallback(HttpServerRequest request, RouteSpec.Fallback fallback, boolean close) {
        HttpServerResponse response = request.response();
        response.setStatusCode(fallback.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, fallback.contentType())
                .putHeader("X-Flotilla-Fallback", "true");
        if (close) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(fallback.body());
    }

    /**
     * Answers with the JSON error of docs/architecture.md. {@code close} closes the connection afterwards
     * (used when the request's framing is suspect or its body was not read, so nothing left on the wire is
     * taken for a next request) and marks it closing, so no request pipelined behind it is served.
     */
    private void reject(HttpServerRequest request, HttpFailure failure, boolean close) {
        if (close) {
            connections.closing(request.connection());
        }
        ErrorResponses.send(request, failure, close);
    }
}

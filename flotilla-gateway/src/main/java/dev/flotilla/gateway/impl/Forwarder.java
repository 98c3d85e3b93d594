package dev.flotilla.gateway.impl;

import dev.flotilla.core.balance.Endpoint;
import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.resilience.ResilientCaller;
import dev.flotilla.core.resilience.RetryPolicy;
import dev.flotilla.core.resilience.UpstreamFailure;
import dev.flotilla.gateway.RouteSpec;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Future;
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
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The forwarding path: an admitted request is streamed to an instance through the route's
 * {@link ResilientCaller} and the answer streamed back, with back-pressure both ways. One per event loop,
 * each with its own connection pools.
 *
 * <p>Hand-written on Vert.x's HTTP client and server rather than on {@code vertx-http-proxy}: that
 * proxy cannot send a request again to another instance, and its errors are not the JSON errors of
 * docs/architecture.md.
 */
final class Forwarder {

    private static final Buffer NO_BODY = Buffer.buffer();
    /** Bodies up to this size with a known length are sent in one write (see {@link #respond}). */
    private static final long SMALL_BODY_BYTES = 16 * 1024;

    private final HttpClient client;
    /** Opens a new connection for every request: for the retry after a stale pooled connection. */
    private final HttpClient freshClient;
    private final Vertx vertx;
    private final boolean traced;
    private final ClientConnections connections;
    private final long bodyIdleTimeoutMs;
    /**
     * Upstream connections that have carried a whole exchange: a failure on one of them before any answer
     * is a stale keep-alive connection, not a failing instance. Weak: the pool owns the connections.
     */
    private final Set<HttpConnection> reused = Collections.newSetFromMap(new WeakHashMap<>());

    Forwarder(HttpClient client, HttpClient freshClient, Vertx vertx, boolean traced, ClientConnections connections,
            long bodyIdleTimeoutMs) {
        this.client = client;
        this.freshClient = freshClient;
        this.vertx = vertx;
        this.traced = traced;
        this.connections = connections;
        this.bodyIdleTimeoutMs = bodyIdleTimeoutMs;
    }

    /** Forwards an admitted request and answers the client. */
    void forward(Exchange exchange) {
        CompiledRoute route = exchange.route;
        HttpServerRequest request = exchange.request;
        // A streamed body cannot be sent twice: only a request without one may be retried after it was sent.
        boolean idempotent = !exchange.hasBody && RetryPolicy.isIdempotent(request.method().name());
        ResilientCaller.Call call = new ResilientCaller.Call(route.strategy, route.hashKey(request), idempotent,
                route.retries, exchange.stickyToken);
        route.caller.call(call, endpoint -> send(exchange, endpoint), HttpClientResponse::statusCode)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        respond(exchange, ar.result());
                    } else {
                        failed(exchange, UpstreamFailure.of(ar.cause()));
                    }
                });
    }

    /** Opens one upstream request to {@code endpoint} with the client's headers, as forwarded. */
    Future<HttpClientRequest> open(Exchange exchange, HttpMethod method, Endpoint endpoint) {
        if (exchange.clientFault != null) {
            return Future.failedFuture(exchange.clientFault); // the client left between two attempts
        }
        HttpClient pool = exchange.freshConnection ? freshClient : client;
        return pool.request(requestOptions(exchange, method, endpoint)).transform(ar -> {
            if (ar.failed()) {
                return Future.failedFuture(UpstreamFailure.connect(ar.cause()));
            }
            HttpClientRequest upstream = ar.result();
            exchange.upstreamRequest = upstream;
            ForwardedHeaders.toUpstream(exchange, upstream.headers(), traced);
            return Future.succeededFuture(upstream);
        });
    }

    private Future<HttpClientResponse> send(Exchange exchange, Endpoint endpoint) {
        HttpServerRequest request = exchange.request;
        return open(exchange, request.method(), endpoint).compose(upstream -> {
            upstream.earlyHintsHandler(hints -> {
                if (!request.response().headWritten()) {
                    request.response().writeEarlyHints(hints);
                }
            });
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
        UpstreamFailure failure = UpstreamFailure.onPooledConnection(cause, reused.contains(connection));
        if (failure.kind() == UpstreamFailure.Kind.STALE) {
            exchange.freshConnection = true;
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
            options.setIdleTimeout(RetryPolicy.isIdempotent(method.name()) ? exchange.route.retryableAttemptTimeoutMs
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
                connections.reject(request, new HttpFailure(413, "payload_too_large",
                        "the body is larger than this route's limit of " + max + " bytes"), true);
                exchange.clientFault("the body passed the route's limit");
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
    void bodyFailed(Exchange exchange, Throwable e) {
        if (exchange.bodyDone) {
            return;
        }
        if (e instanceof HttpClosedException) {
            exchange.clientFault("the client closed the connection before its body was complete");
            return;
        }
        HttpServerRequest request = exchange.request;
        connections.reject(request, HttpFailure.badRequest("the request body is malformed: " + e.getMessage()),
                true);
        ClientConnections.flush(request.connection());
        exchange.clientFault("the request body is malformed");
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
                connections.reject(exchange.request, new HttpFailure(408, "request_timeout",
                        "the request body stopped arriving for " + idleMs + " ms"), true);
                exchange.clientFault("the client stopped sending its body");
            }
        });
    }

    /** Sends the instance's answer to the client. */
    void respond(Exchange exchange, ResilientCaller.Outcome<HttpClientResponse> outcome) {
        HttpClientResponse upstream = outcome.result();
        HttpServerRequest request = exchange.request;
        HttpServerResponse response = request.response();
        CompiledRoute route = exchange.route;
        if (response.ended() || response.closed()) {
            upstream.request().reset();
            return;
        }
        int status = upstream.statusCode();
        response.setStatusCode(status);
        ForwardedHeaders.copyEndToEnd(upstream.headers(), response.headers());
        route.stick(exchange.stickyToken, response.headers(), outcome.endpoint());
        ForwardedHeaders.applyRules(response.headers(), route.spec.responseHeaders());
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
            route.metrics.record(status, exchange.elapsedNanos(), outcome.attempts());
            if (ar.failed()) {
                upstream.request().reset();
                request.connection().close(); // a truncated body must not look complete
            } else {
                reused.add(upstream.request().connection());
            }
        });
    }

    /** Answers a call that failed: the route's fallback, or the JSON error for the failure. */
    void failed(Exchange exchange, UpstreamFailure failure) {
        CompiledRoute route = exchange.route;
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
        if (failure.kind() == UpstreamFailure.Kind.CIRCUIT_OPEN) {
            route.metrics.breakerOpen();
        }
        boolean noAnswer = failure.kind() == UpstreamFailure.Kind.CIRCUIT_OPEN
                || failure.kind() == UpstreamFailure.Kind.NO_INSTANCE;
        if (noAnswer && route.spec.fallback() != null) {
            fallback(exchange, route.spec.fallback());
            return;
        }
        HttpFailure http = failure.toHttp(route.spec.service());
        if (traced) {
            Span.current().setStatus(StatusCode.ERROR, http.code() + ": " + http.getMessage());
        }
        route.metrics.record(http.status(), exchange.elapsedNanos(), 1);
        connections.reject(request, http, !exchange.bodyDone);
    }

    /** The route's degraded answer (while its breaker is open or no instance is healthy). */
    private static void fallback(Exchange exchange, RouteSpec.Fallback fallback) {
        HttpServerResponse response = exchange.request.response();
        response.setStatusCode(fallback.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, fallback.contentType())
                .putHeader("X-Flotilla-Fallback", "true");
        if (!exchange.bodyDone && exchange.request.version() != HttpVersion.HTTP_2) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(fallback.body());
    }

    private static boolean mayHaveBody(HttpMethod method, int status) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }
}

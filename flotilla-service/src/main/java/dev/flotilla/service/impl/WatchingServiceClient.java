package dev.flotilla.service.impl;

import dev.flotilla.core.balance.Upstreams;
import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.resilience.CircuitBreaker;
import dev.flotilla.core.resilience.ResilientCaller;
import dev.flotilla.core.resilience.RetryPolicy;
import dev.flotilla.core.resilience.UpstreamFailure;
import dev.flotilla.core.version.VersionRange;
import dev.flotilla.service.ServiceClient;
import dev.flotilla.service.ServiceRequest;
import dev.flotilla.service.ServiceResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link ServiceClient} over a registry watch and core's balancing and resilience. A call made while a request
 * is handled runs on that request's Vert.x context, so Vert.x's tracer makes each attempt a CLIENT span of the
 * request's trace and sends its {@code traceparent}.
 */
public final class WatchingServiceClient implements ServiceClient {

    private final Options options;
    private final Upstreams upstreams;
    private final InstanceWatch watch;
    private final HttpClient http;
    private final Context context;
    /** One resilient caller (breaker, retry budget) per service and version range, shared by every call. */
    private final Map<String, ResilientCaller> callers = new ConcurrentHashMap<>();

    public WatchingServiceClient(Vertx vertx, InstanceWatch watch, Options options) {
        this.options = options;
        this.watch = watch;
        this.upstreams = new Upstreams(watch);
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(4),
                new PoolOptions().setHttp1MaxSize(64));
        this.context = vertx.getOrCreateContext();
    }

    @Override
    public Future<ServiceResponse> send(ServiceRequest request) {
        if (Vertx.currentContext() != null) {
            return sendOnContext(request);
        }
        // Calls from plain threads run on one context: Vert.x 5 clients stall when driven from many threads.
        Promise<ServiceResponse> promise = Promise.promise();
        context.runOnContext(v -> sendOnContext(request).onComplete(promise));
        return promise.future();
    }

    private Future<ServiceResponse> sendOnContext(ServiceRequest request) {
        if (!watch.ready().isComplete()) {
            // The first calls wait for the registry's snapshot rather than failing for want of instances.
            long waitMs = (request.timeout() == null ? options.timeout : request.timeout()).toMillis();
            return watch.ready().timeout(waitMs, TimeUnit.MILLISECONDS)
                    .transform(ar -> sendWithInstances(request));
        }
        return sendWithInstances(request);
    }

    private Future<ServiceResponse> sendWithInstances(ServiceRequest call) {
        VersionRange range = VersionRange.parse(call.version());
        ResilientCaller caller = callers.computeIfAbsent(call.service() + "@" + range, k -> new ResilientCaller(
                upstreams.get(call.service(), range, options.outlier), new CircuitBreaker(options.breaker),
                options.ejectOnServerErrors));
        int retries = call.retries() == null ? options.retries : call.retries();
        long timeoutMs = (call.timeout() == null ? options.timeout : call.timeout()).toMillis();
        ResilientCaller.Call balance = new ResilientCaller.Call(call.strategy(), call.hashKey(),
                RetryPolicy.isIdempotent(call.method().name()), RetryPolicy.safeRetries(retries), null);
        return caller.call(balance, endpoint -> {
            RequestOptions requestOptions = new RequestOptions()
                    .setMethod(call.method()).setHost(endpoint.host()).setPort(endpoint.port()).setURI(call.path())
                    .setHeaders(call.headers())
                    .setConnectTimeout(options.connectTimeout.toMillis()).setIdleTimeout(timeoutMs);
            return http.request(requestOptions)
                    .recover(e -> Future.failedFuture(UpstreamFailure.connect(e)))
                    .compose(req -> req.send(call.body() == null ? Buffer.buffer() : call.body()))
                    .compose(resp -> resp.body().map(body ->
                            new ServiceResponse(resp.statusCode(), resp.headers(), body, endpoint.id())));
        }, ServiceResponse::status).transform(ar -> ar.succeeded() ? Future.succeededFuture(ar.result().result())
                : orFallback(call, UpstreamFailure.of(ar.cause()).toHttp(call.service())));
    }

    private static Future<ServiceResponse> orFallback(ServiceRequest call, HttpFailure failure) {
        if (call.fallback() != null) {
            return Future.succeededFuture(call.fallback().apply(failure));
        }
        return Future.failedFuture(failure);
    }

    @Override
    public void close() {
        http.close();
    }
}

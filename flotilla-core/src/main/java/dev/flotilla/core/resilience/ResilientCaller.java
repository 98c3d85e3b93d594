package dev.flotilla.core.resilience;

import dev.flotilla.core.balance.Endpoint;
import dev.flotilla.core.balance.Strategy;
import dev.flotilla.core.balance.Upstream;
import dev.flotilla.core.time.Ticker;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Makes resilient calls to one upstream: the whole protocol of a call that the gateway (per route) and the
 * SDK's client (per service) share, in one place. A call passes the circuit breaker, goes to an instance the
 * upstream picks, and is sent again to another instance when its {@link RetryPolicy} says it is safe and the
 * {@link RetryBudget} has a token; every attempt's outcome is classified once, here, and feeds outlier
 * ejection, and the call's outcome feeds the breaker.
 *
 * <p>The classification: a connect failure, a reset or a timeout is the instance's fault (it counts toward
 * ejection and opens the breaker); a 5xx answer is the service's failure for the breaker, and the instance's
 * for ejection when {@code serverErrorsEject}; the client's faults ({@link UpstreamFailure.Kind#CLIENT}: it
 * hung up, stalled, sent a bad body) and the pool's ({@link UpstreamFailure.Kind#STALE}: a kept-alive
 * connection the instance had closed) count for nothing. An idempotent call that met a stale connection is
 * retried once beyond the policy and the budget (nginx does not count a failed cached connection as a try
 * either); the attempt after it should open a new connection. Thread-safe: the upstream, breaker and budget
 * are.
 */
public final class ResilientCaller {

    private static final AttributeKey<String> RETRY_INSTANCE = AttributeKey.stringKey("flotilla.instance");
    private static final AttributeKey<String> RETRY_REASON = AttributeKey.stringKey("flotilla.failure");

    private final Upstream upstream;
    private final CircuitBreaker breaker;
    private final RetryBudget budget;
    private final boolean serverErrorsEject;
    private final Ticker ticker;

    /**
     * @param breaker           the breaker calls pass, or null for none
     * @param serverErrorsEject whether a 5xx answer counts against the instance that gave it
     */
    public ResilientCaller(Upstream upstream, CircuitBreaker breaker, RetryBudget budget, boolean serverErrorsEject,
            Ticker ticker) {
        this.upstream = upstream;
        this.breaker = breaker;
        this.budget = budget;
        this.serverErrorsEject = serverErrorsEject;
        this.ticker = ticker;
    }

    public ResilientCaller(Upstream upstream, CircuitBreaker breaker, boolean serverErrorsEject) {
        this(upstream, breaker, RetryBudget.standard(), serverErrorsEject, Ticker.SYSTEM);
    }

    public Upstream upstream() {
        return upstream;
    }

    /** The breaker calls pass, or null. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /**
     * One call's balancing and retry rules. {@code pinned}, when not null, is the sticky token of the
     * instance the first attempt goes to while it is usable (sticky sessions); retries go elsewhere.
     */
    public record Call(Strategy strategy, String hashKey, boolean idempotent, RetryPolicy retries, String pinned) {
    }

    /** The answer of the attempt that succeeded, with the instance that gave it. */
    public record Outcome<T>(T result, Endpoint endpoint, int attempts) {
    }

    /**
     * Runs {@code attempt} on instances of the upstream until one answers or the rules above say stop.
     * Fails with an {@link UpstreamFailure}: {@code CIRCUIT_OPEN} when the breaker refused the call,
     * {@code NO_INSTANCE} when there was nobody to ask, otherwise the last attempt's failure. {@code attempt}
     * should fail with {@link UpstreamFailure#connect} when it could not connect (the request was not sent),
     * and with a {@code CLIENT} or {@code STALE} failure when it knows that is what happened.
     * {@code status} reads an answer's HTTP status.
     */
    public <T> Future<Outcome<T>> call(Call call, Function<Endpoint, Future<T>> attempt, ToIntFunction<T> status) {
        if (breaker != null && !breaker.tryAcquire()) {
            return Future.failedFuture(new UpstreamFailure(UpstreamFailure.Kind.CIRCUIT_OPEN,
                    "'" + upstream.service() + "' is failing; the circuit breaker is open", null));
        }
        budget.onRequest();
        Promise<Outcome<T>> promise = Promise.promise();
        new Attempts<>(call, attempt, status, promise).next(null);
        Future<Outcome<T>> outcome = promise.future();
        return breaker == null ? outcome : outcome.andThen(ar -> {
            if (ar.succeeded()) {
                breaker.onResult(status.applyAsInt(ar.result().result()) >= 500);
            } else if (UpstreamFailure.of(ar.cause()).kind().isClientOrPoolFault()) {
                breaker.onIgnored();
            } else {
                breaker.onResult(true);
            }
        });
    }

    /** One call's attempts so far. */
    private final class Attempts<T> {
        final Call call;
        final Function<Endpoint, Future<T>> attempt;
        final ToIntFunction<T> status;
        final Promise<Outcome<T>> promise;
        /** The instances tried, in order; the free retry after a stale connection takes its instance off. */
        final List<Endpoint> tried = new ArrayList<>(2);

        Attempts(Call call, Function<Endpoint, Future<T>> attempt, ToIntFunction<T> status,
                Promise<Outcome<T>> promise) {
            this.call = call;
            this.attempt = attempt;
            this.status = status;
            this.promise = promise;
        }

        void next(UpstreamFailure previous) {
            Endpoint pinned = call.pinned() != null && tried.isEmpty() ? upstream.pinned(call.pinned(), tried) : null;
            Endpoint untried = pinned != null ? pinned : upstream.pick(call.strategy(), call.hashKey(), tried);
            // Every instance was tried: a retry may still succeed on a fresh connection to one of them (after
            // a stale keep-alive connection, or with several instances behind one shared port in cluster mode).
            Endpoint endpoint = untried != null || previous == null ? untried
                    : upstream.pick(call.strategy(), call.hashKey(), List.of());
            if (endpoint == null) {
                promise.fail(previous != null ? previous
                        : new UpstreamFailure(UpstreamFailure.Kind.NO_INSTANCE, "no healthy instance", null));
                return;
            }
            tried.add(endpoint);
            upstream.acquire(endpoint);
            long started = ticker.nanos();
            Future<T> sent;
            try {
                sent = attempt.apply(endpoint);
            } catch (RuntimeException e) {
                sent = Future.failedFuture(e);
            }
            sent.onComplete(ar -> {
                long micros = (ticker.nanos() - started) / 1000;
                if (ar.succeeded()) {
                    upstream.release(endpoint, serverErrorsEject && status.applyAsInt(ar.result()) >= 500, micros);
                    promise.complete(new Outcome<>(ar.result(), endpoint, tried.size()));
                    return;
                }
                UpstreamFailure failure = UpstreamFailure.of(ar.cause());
                if (failure.kind().isInstanceFault()) {
                    upstream.release(endpoint, true, micros);
                } else {
                    upstream.releaseUncounted(endpoint);
                }
                if (failure.kind() == UpstreamFailure.Kind.STALE && call.idempotent()
                        && (previous == null || previous.kind() != UpstreamFailure.Kind.STALE)) {
                    tried.remove(endpoint);
                    retrying(endpoint, failure);
                    next(failure);
                } else if (call.retries().mayRetry(call.idempotent(), failure.kind(), tried.size())
                        && budget.tryRetry()) {
                    retrying(endpoint, failure);
                    next(failure);
                } else {
                    promise.fail(failure);
                }
            });
        }
    }

    /**
     * Marks the retry on the span of the request being handled (the gateway's or a service's): which instance
     * failed and how, and that another attempt follows.
     */
    private static void retrying(Endpoint endpoint, UpstreamFailure failure) {
        Span.current().addEvent("retry", Attributes.of(RETRY_INSTANCE, endpoint.id(),
                RETRY_REASON, failure.kind().name().toLowerCase(Locale.ROOT)));
    }
}

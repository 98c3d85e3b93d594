package dev.flotilla.core.resilience;

import dev.flotilla.core.balance.Endpoint;
import dev.flotilla.core.balance.Strategy;
import dev.flotilla.core.balance.Upstream;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Sends one call to an upstream, retrying on a different instance when that is safe; the one place
 * where the gateway and the SDK client decide about retries.
 *
 * <p>The rules: a request that never reached an instance (connect failure) may be sent again whatever
 * its method; one that may have reached it (timeout, reset) only when it is idempotent. Each retry goes
 * to an instance not tried yet while there is one (then to any), and needs a token from the upstream's
 * {@link RetryBudget}. Every attempt feeds outlier detection: the instance's own failures count, and so do
 * answers that {@code countsAsFailure} rejects (5xx, when the caller asks), though those are returned, not
 * retried. A stale pooled connection is retried once, outside the retry count and budget, and not held
 * against the instance (after a {@link UpstreamFailure.Kind#STALE} the caller makes its next attempt on a
 * new connection); a failure that is the client's ({@link UpstreamFailure.Kind#CLIENT}) ends the call at
 * once and counts for nothing.
 */
public final class Failover {

    private Failover() {
    }

    /**
     * How one call may be balanced and retried. {@code pinned}, when not null, is the sticky token of the
     * instance the first attempt goes to while it is usable (sticky sessions); retries go elsewhere.
     */
    public record Call(Strategy strategy, String hashKey, boolean idempotent, int maxRetries, String pinned) {

        public Call(Strategy strategy, String hashKey, boolean idempotent, int maxRetries) {
            this(strategy, hashKey, idempotent, maxRetries, null);
        }
    }

    /** The answer of the attempt that succeeded, with the instance that gave it. */
    public record Outcome<T>(T result, Endpoint endpoint, int attempts) {
    }

    /**
     * Runs {@code attempt} on instances of {@code upstream} until one answers or the rules above say stop.
     * Fails with an {@link UpstreamFailure}: {@code NO_INSTANCE} when there was nobody to ask, otherwise
     * the last attempt's failure. {@code attempt} should fail with {@link UpstreamFailure#connect} when it
     * could not connect, so that the request is known not to have been sent.
     */
    public static <T> Future<Outcome<T>> execute(Upstream upstream, Call call, Function<Endpoint, Future<T>> attempt,
            Predicate<T> countsAsFailure) {
        upstream.retryBudget().onRequest();
        Promise<Outcome<T>> promise = Promise.promise();
        attempt(upstream, call, attempt, countsAsFailure, new ArrayList<>(2), promise, null);
        return promise.future();
    }

    /**
     * Marks the retry on the span of the request being handled (the gateway's or a service's): which instance
     * failed and how, and that another attempt follows.
     */
    private static void retrying(Endpoint endpoint, UpstreamFailure failure) {
        Span.current().addEvent("retry", Attributes.of(RETRY_INSTANCE, endpoint.id(),
                RETRY_REASON, failure.kind().name().toLowerCase(Locale.ROOT)));
    }

    private static final AttributeKey<String> RETRY_INSTANCE = AttributeKey.stringKey("flotilla.instance");
    private static final AttributeKey<String> RETRY_REASON = AttributeKey.stringKey("flotilla.failure");

    private static <T> void attempt(Upstream upstream, Call call, Function<Endpoint, Future<T>> attempt,
            Predicate<T> countsAsFailure, List<Endpoint> tried, Promise<Outcome<T>> promise,
            UpstreamFailure previous) {
        Endpoint pinned = call.pinned() != null && tried.isEmpty() ? upstream.pinned(call.pinned(), tried) : null;
        Endpoint untried = pinned != null ? pinned : upstream.pick(call.strategy(), call.hashKey(), tried);
        // Every instance was tried: a retry may still succeed on a fresh connection to one of them (after a
        // stale keep-alive connection, or with several instances behind one shared port in cluster mode).
        Endpoint endpoint = untried != null || previous == null ? untried
                : upstream.pick(call.strategy(), call.hashKey(), List.of());
        if (endpoint == null) {
            promise.fail(previous != null ? previous
                    : new UpstreamFailure(UpstreamFailure.Kind.NO_INSTANCE, "no healthy instance", null));
            return;
        }
        tried.add(endpoint);
        upstream.acquire(endpoint);
        long started = System.nanoTime();
        Future<T> sent;
        try {
            sent = attempt.apply(endpoint);
        } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
        }
        sent.onComplete(ar -> {
            long micros = (System.nanoTime() - started) / 1000;
            if (ar.succeeded()) {
                upstream.release(endpoint, countsAsFailure.test(ar.result()), micros);
                promise.complete(new Outcome<>(ar.result(), endpoint, tried.size()));
                return;
            }
            UpstreamFailure failure = UpstreamFailure.of(ar.cause());
            if (failure.kind().isInstanceFault()) {
                upstream.release(endpoint, true, micros);
            } else {
                upstream.releaseUncounted(endpoint);
            }
            boolean safe = failure.kind() == UpstreamFailure.Kind.CONNECT
                    || call.idempotent() && failure.kind() != UpstreamFailure.Kind.CLIENT;
            boolean firstStale = failure.kind() == UpstreamFailure.Kind.STALE
                    && (previous == null || previous.kind() != UpstreamFailure.Kind.STALE);
            if (safe && firstStale) {
                // The pool's fault, not the instance's: one retry beyond the count and the budget (as nginx
                // does not count a failed cached connection as a try). The caller opens a fresh connection.
                tried.remove(endpoint);
                retrying(endpoint, failure);
                attempt(upstream, call, attempt, countsAsFailure, tried, promise, failure);
            } else if (safe && tried.size() <= call.maxRetries() && upstream.retryBudget().tryRetry()) {
                retrying(endpoint, failure);
                attempt(upstream, call, attempt, countsAsFailure, tried, promise, failure);
            } else {
                promise.fail(failure);
            }
        });
    }
}

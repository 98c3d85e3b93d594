package dev.flotilla.messaging;

import dev.flotilla.core.redis.RedisClients;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ids of messages already handled, per queue, in Redis, for a bounded window: a message delivered again
 * within it (a redelivery after a lost acknowledgement, a publisher that published twice) is acknowledged
 * without running its handler again. Keys are {@code flotilla:messaging:handled:<queue>:<id>}: "handling"
 * while a handler has the message (so two copies delivered at once are not both handled), then "done" for the
 * window.
 */
public final class Deduplication {

    private final Redis redis;
    private final Duration window;
    private final boolean ownsClient;
    private final LongAdder dropped = new LongAdder();
    private Future<RedisConnection> connection;
    private static final String HANDLING = "handling";

    /** On a client the caller keeps (and closes). */
    public Deduplication(Redis redis, Duration window) {
        this(redis, window, false);
    }

    private Deduplication(Redis redis, Duration window, boolean ownsClient) {
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("deduplication window: " + window + " (expected a positive duration)");
        }
        this.redis = redis;
        this.window = window;
        this.ownsClient = ownsClient;
    }

    /** On a client of its own for {@code redisUrl}, closed by {@link #close()}. */
    public static Deduplication connect(Vertx vertx, String redisUrl, Duration window) {
        return new Deduplication(RedisClients.create(vertx, redisUrl), window, true);
    }

    /** What {@link #claim} found. */
    public enum Claim {
        /** No copy was handled or is being handled: this one is to be handled, and is now being handled. */
        CLAIMED,
        /** A copy was handled already: this one is a duplicate. */
        DONE,
        /** Another copy is being handled at this moment (a publisher's retry that arrived with it). */
        BUSY
    }

    /**
     * Claims {@code id} for one handler: atomically marks it "being handled" for {@code hold} (the handler's
     * timeout and a margin: a claim outlives no handler, and a crashed handler's claim lapses), unless a copy
     * was handled already or is being handled. Each {@link Claim#DONE} counts in {@link #duplicatesDropped()}.
     */
    public Future<Claim> claim(String queue, String id, Duration hold) {
        String key = key(queue, id);
        return send(Request.cmd(Command.SET).arg(key).arg(HANDLING).arg("NX").arg("PX").arg(hold.toMillis()))
                .compose(set -> set != null ? Future.succeededFuture(Claim.CLAIMED)
                        : send(Request.cmd(Command.GET).arg(key)).map(value -> {
                            // No value: the other copy's claim was given up in between (its handler failed).
                            if (value == null || HANDLING.equals(value.toString())) {
                                return Claim.BUSY;
                            }
                            dropped.increment();
                            return Claim.DONE;
                        }));
    }

    /**
     * The command that marks {@code id} handled, for a handler whose effect is in this same Redis: run in
     * one transaction with the effect, it makes the effect happen once even when the process dies between
     * the effect and the acknowledgement (the idempotent consumer pattern).
     */
    public Request markRequest(String queue, String id) {
        return Request.cmd(Command.SET).arg(key(queue, id)).arg("done").arg("PX").arg(window.toMillis());
    }

    /** Gives up a claim after the handler failed, so that the retry is handled. */
    public Future<Void> release(String queue, String id) {
        return send(Request.cmd(Command.DEL).arg(key(queue, id))).mapEmpty();
    }

    /** How many deliveries were found handled already (and acknowledged without their handler). */
    public long duplicatesDropped() {
        return dropped.sum();
    }

    public Future<Void> markHandled(String queue, String id) {
        return send(markRequest(queue, id)).mapEmpty();
    }

    /**
     * Sends on one connection, kept open, rather than one taken from the pool per command: the consumer's
     * two commands per message are pipelined on it (measured by bench/messaging.sh). A connection that fails
     * is dropped, and the next command opens another.
     */
    private Future<Response> send(Request request) {
        Future<RedisConnection> current;
        synchronized (this) {
            if (connection == null) {
                connection = redis.connect()
                        .onSuccess(c -> c.exceptionHandler(e -> forget(c)).endHandler(v -> forget(c)))
                        .onFailure(e -> forget(null));
            }
            current = connection;
        }
        return current.compose(c -> c.send(request).onFailure(e -> forget(c)));
    }

    private synchronized void forget(RedisConnection failed) {
        if (connection != null && (failed == null || (connection.succeeded() && connection.result() == failed))) {
            connection = null;
        }
    }

    /** Closes its connection, and the client if this object opened it. */
    public Future<Void> close() {
        Future<RedisConnection> open;
        synchronized (this) {
            open = connection;
            connection = null;
        }
        Future<Void> closed = open == null ? Future.succeededFuture()
                : open.compose(RedisConnection::close).otherwiseEmpty();
        return ownsClient ? closed.eventually(redis::close) : closed;
    }

    private static String key(String queue, String id) {
        return "flotilla:messaging:handled:" + queue + ":" + id;
    }
}

package dev.flotilla.messaging;

import dev.flotilla.core.redis.RedisClients;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;

/**
 * The ids of messages already handled, per queue, in Redis, for a bounded window: a message delivered again
 * within it (a redelivery after a lost acknowledgement, a publisher that published twice) is acknowledged
 * without running its handler again. Keys are {@code flotilla:messaging:handled:<queue>:<id>} with a TTL.
 */
public final class Deduplication {

    private final Redis redis;
    private final Duration window;
    private final boolean ownsClient;

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

    public Future<Boolean> handled(String queue, String id) {
        return redis.send(Request.cmd(Command.EXISTS).arg(key(queue, id))).map(r -> r.toInteger() == 1);
    }

    public Future<Void> markHandled(String queue, String id) {
        return redis.send(Request.cmd(Command.SET).arg(key(queue, id)).arg("1").arg("PX").arg(window.toMillis()))
                .mapEmpty();
    }

    /** Closes the client if this object opened it. */
    public Future<Void> close() {
        return ownsClient ? redis.close() : Future.succeededFuture();
    }

    private static String key(String queue, String id) {
        return "flotilla:messaging:handled:" + queue + ":" + id;
    }
}

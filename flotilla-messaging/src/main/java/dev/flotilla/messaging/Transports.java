package dev.flotilla.messaging;

import dev.flotilla.messaging.rabbit.RabbitMessaging;
import dev.flotilla.messaging.redis.RedisStreamsMessaging;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;

/**
 * Which transport a process uses, from its environment, as {@code flotilla up} sets it:
 * <ul>
 * <li>{@code FLOTILLA_AMQP=amqp://...}: RabbitMQ (the fleet's embedded broker, or the one {@code amqp:} names);</li>
 * <li>{@code FLOTILLA_AMQP=redis}, or unset: Redis Streams on {@code FLOTILLA_REDIS} (default the local Redis),
 * so a service runs with no broker.</li>
 * </ul>
 * Either way handled ids are deduplicated in {@code FLOTILLA_REDIS} for {@link #DEDUPLICATION_WINDOW}.
 */
public final class Transports {

    /** The value of {@code FLOTILLA_AMQP} that selects Redis Streams. */
    public static final String REDIS = "redis";
    public static final String DEFAULT_REDIS = "redis://127.0.0.1:6379";
    public static final Duration DEDUPLICATION_WINDOW = Duration.ofHours(1);
    /** How long a service waits for its RabbitMQ to take connections when it starts. */
    public static final Duration BROKER_WAIT = Duration.ofSeconds(90);
    /** The largest message body, in bytes, unless a caller says otherwise. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

    private Transports() {
    }

    public static Future<Messaging> fromEnvironment(Vertx vertx) {
        return fromEnvironment(vertx, System.getenv());
    }

    /**
     * As {@link #connect}, but waiting up to {@link #BROKER_WAIT} for a RabbitMQ that does not take connections
     * yet: {@code flotilla up} starts the apps while its broker is still starting.
     */
    public static Future<Messaging> fromEnvironment(Vertx vertx, Map<String, String> env) {
        return connect(vertx, env.get("FLOTILLA_AMQP"), env.getOrDefault("FLOTILLA_REDIS", DEFAULT_REDIS),
                DEFAULT_MAX_MESSAGE_BYTES, BROKER_WAIT);
    }

    /**
     * Connects to RabbitMQ when {@code amqp} is an {@code amqp://} or {@code amqps://} URI, else (null or
     * {@value #REDIS}) to Redis Streams on {@code redisUrl}; deduplication is in {@code redisUrl} either way.
     */
    public static Future<Messaging> connect(Vertx vertx, String amqp, String redisUrl, int maxMessageBytes) {
        return connect(vertx, amqp, redisUrl, maxMessageBytes, Duration.ZERO);
    }

    private static Future<Messaging> connect(Vertx vertx, String amqp, String redisUrl, int maxMessageBytes,
            Duration brokerWait) {
        if (amqp != null && !amqp.isBlank() && !amqp.equals(REDIS) && !amqp.startsWith("amqp://")
                && !amqp.startsWith("amqps://")) {
            return Future.failedFuture(new IllegalArgumentException("FLOTILLA_AMQP: '" + amqp
                    + "' (expected amqp://USER:PASSWORD@HOST:PORT, or 'redis' for Redis Streams)"));
        }
        Deduplication deduplication = Deduplication.connect(vertx, redisUrl, DEDUPLICATION_WINDOW);
        Future<Messaging> connected = amqp == null || amqp.isBlank() || amqp.equals(REDIS)
                ? RedisStreamsMessaging.connect(vertx, redisUrl, deduplication, maxMessageBytes)
                : RabbitMessaging.connect(vertx, amqp, deduplication, maxMessageBytes, brokerWait);
        return connected.onFailure(e -> deduplication.close());
    }

    /** What {@link #connect} picks, in words, for a log line. */
    public static String describe(String amqp, String redisUrl) {
        return amqp == null || amqp.isBlank() || amqp.equals(REDIS) ? "Redis Streams at " + redisUrl
                : "RabbitMQ at " + amqp.replaceAll("//[^@/]*@", "//");
    }
}

package dev.flotilla.messaging;

import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.messaging.rabbit.RabbitMessaging;
import dev.flotilla.messaging.redis.RedisStreamsMessaging;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A consumer process for tests that kill it: {@code ConsumerNode AMQP QUEUE}, prefetch 10. Each message
 * takes 50 ms of work, then its effect (one more in the hash {@code QUEUE:effects} under the message's id)
 * and its deduplication mark are written in one transaction: the idempotent consumer, whose effect happens
 * once however the process dies. Every delivery is also counted, outside the transaction, in
 * {@code QUEUE:deliveries}.
 */
public final class ConsumerNode {

    static final String REDIS = "redis://127.0.0.1:6379";
    static final ConsumerOptions OPTIONS = ConsumerOptions.DEFAULTS.withPrefetch(10)
            .withHandlerTimeout(Duration.ofSeconds(2)).withRetryDelays(Duration.ofMillis(200), Duration.ofSeconds(1));

    private ConsumerNode() {
    }

    public static void main(String[] args) throws Exception {
        String amqp = args[0];
        String queue = args[1];
        Vertx vertx = Vertx.vertx();
        Redis redis = RedisClients.create(vertx, REDIS);
        Deduplication deduplication = Deduplication.connect(vertx, REDIS, Duration.ofMinutes(10));
        Messaging messaging = (amqp.equals(Transports.REDIS)
                ? RedisStreamsMessaging.connect(vertx, REDIS, deduplication, 1 << 16)
                : RabbitMessaging.connect(vertx, amqp, deduplication, 1 << 16)).await(10, TimeUnit.SECONDS);
        messaging.consume(queue, OPTIONS, message -> {
            Promise<Void> done = Promise.promise();
            redis.send(Request.cmd(Command.HINCRBY).arg(queue + ":deliveries").arg(message.id()).arg(1));
            vertx.setTimer(50, t -> redis.batch(List.of(Request.cmd(Command.MULTI),
                    Request.cmd(Command.HINCRBY).arg(queue + ":effects").arg(message.id()).arg(1),
                    deduplication.markRequest(queue, message.id()), Request.cmd(Command.EXEC)))
                    .<Void>mapEmpty().onComplete(done));
            return done.future();
        }).await(10, TimeUnit.SECONDS);
        System.out.println("consuming");
    }
}

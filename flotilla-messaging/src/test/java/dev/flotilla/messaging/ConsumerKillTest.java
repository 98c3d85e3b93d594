package dev.flotilla.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.JavaProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A consumer process killed with {@code -9} while it holds 10 unacknowledged messages: a second consumer
 * gets every one of them again, and each message's effect happens exactly once. On RabbitMQ and on Redis
 * Streams.
 */
class ConsumerKillTest {

    private static final int MESSAGES = 300;

    @ParameterizedTest
    @ValueSource(strings = {"amqp://guest:guest@127.0.0.1:5672", Transports.REDIS})
    void everyUnacknowledgedMessageComesBackAndTakesEffectOnce(String amqp) throws Exception {
        String queue = "consumer-kill-" + System.nanoTime();
        Vertx vertx = Vertx.vertx();
        Redis redis = RedisClients.create(vertx, ConsumerNode.REDIS);
        Messaging messaging = Transports.connect(vertx, amqp, ConsumerNode.REDIS, 1 << 16).await(10, TimeUnit.SECONDS);
        try {
            List<Future<String>> published = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                published.add(messaging.publish(queue, new JsonObject().put("n", i), Map.of(), "m-" + i));
            }
            Future.all(published).await(30, TimeUnit.SECONDS);

            try (JavaProcess first = JavaProcess.start(ConsumerNode.class, amqp, queue)) {
                first.awaitLine("consuming", Duration.ofSeconds(30));
                Eventually.check("the first consumer is half way", Duration.ofSeconds(60),
                        () -> RedisCounts.of(redis, queue + ":effects").size() >= MESSAGES / 3);
                first.signal("KILL");
                first.waitFor(Duration.ofSeconds(10));
            }
            Map<String, Integer> deliveriesBefore = RedisCounts.of(redis, queue + ":deliveries");
            Map<String, Integer> effectsBefore = RedisCounts.of(redis, queue + ":effects");
            List<String> unacknowledged = deliveriesBefore.keySet().stream()
                    .filter(id -> !effectsBefore.containsKey(id)).toList();
            assertThat(unacknowledged).as("held by the consumer when it died").isNotEmpty().hasSizeLessThanOrEqualTo(10);

            try (JavaProcess second = JavaProcess.start(ConsumerNode.class, amqp, queue)) {
                second.awaitLine("consuming", Duration.ofSeconds(30));
                Eventually.check("every message took effect", Duration.ofSeconds(90),
                        () -> RedisCounts.of(redis, queue + ":effects").size() == MESSAGES);
                Thread.sleep(1_000);
            }
            Map<String, Integer> effects = RedisCounts.of(redis, queue + ":effects");
            Map<String, Integer> deliveries = RedisCounts.of(redis, queue + ":deliveries");
            assertThat(effects.values()).as("each effect once").containsOnly(1);
            for (String id : unacknowledged) {
                assertThat(deliveries.get(id)).as("delivered again: " + id).isGreaterThanOrEqualTo(2);
            }
            System.out.printf("consumer kill -9 (%s): %d unacknowledged at the kill, all delivered again; "
                    + "%d messages, each effect once%n", amqp.startsWith("amqp") ? "RabbitMQ" : "Redis Streams",
                    unacknowledged.size(), effects.size());
        } finally {
            redis.send(Request.cmd(Command.DEL).arg(queue + ":effects").arg(queue + ":deliveries"))
                    .await(5, TimeUnit.SECONDS);
            messaging.close().await(10, TimeUnit.SECONDS);
            vertx.close().await(10, TimeUnit.SECONDS);
            if (amqp.startsWith("amqp")) {
                ConnectionFactory factory = new ConnectionFactory();
                factory.setUri(amqp);
                try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                    channel.queueDelete(queue);
                    channel.queueDelete(queue + ".dead-letters");
                }
            }
        }
    }

}

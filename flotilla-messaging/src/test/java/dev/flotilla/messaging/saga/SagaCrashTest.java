package dev.flotilla.messaging.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.RedisCounts;
import dev.flotilla.messaging.Transports;
import dev.flotilla.messaging.saga.SagaState.Status;
import dev.flotilla.messaging.saga.SagaState.StepStatus;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.JavaProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An orchestrator process killed at each crash point while two sagas run (one that completes, one whose
 * payment is refused and compensates), then started again: both sagas end as they should, every effect
 * applied exactly once, the compensation exactly once. On RabbitMQ and on Redis Streams.
 */
class SagaCrashTest {

    private static final String AMQP = "amqp://guest:guest@127.0.0.1:5672";

    private final String name = "order-" + UUID.randomUUID().toString().substring(0, 8);
    private Vertx vertx;
    private Redis redis;
    private Messaging messaging;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        redis = RedisClients.create(vertx, SagaNode.REDIS);
    }

    @AfterEach
    void stop() throws Exception {
        if (messaging != null) {
            messaging.close().await(10, TimeUnit.SECONDS);
        }
        redis.send(Request.cmd(Command.EVAL).arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do "
                + "redis.call('DEL', k) end return 1").arg(0).arg("*" + name + "*")).await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(AMQP);
        try (Connection connection = factory.newConnection()) {
            for (String queue : List.of(name + ".inventory", name + ".payment", name + ".notification",
                    "saga." + name + ".replies")) {
                for (String q : List.of(queue, queue + ".dead-letters")) {
                    try (Channel channel = connection.createChannel()) {
                        channel.queueDelete(q);
                    }
                }
            }
        }
    }

    static Stream<Arguments> crashes() {
        return Stream.of(AMQP, Transports.REDIS).flatMap(amqp -> Stream.of(
                "saga.after-commit@charge", // the orchestrator stored the charge's outcome, did not ack the reply
                "outbox.before-publish@PAYMENT", // its relay took the charge command, did not publish it
                "outbox.before-mark@PAYMENT", // its relay published the charge command, did not delete it
                "saga.participant.after-commit@charge") // payment charged, did not reply
                .map(point -> Arguments.of(amqp, point)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("crashes")
    void bothSagasEndRightWithEveryEffectOnceAfterACrash(String amqp, String point) throws Exception {
        messaging = Transports.connect(vertx, amqp, SagaNode.REDIS, 1 << 20).await(10, TimeUnit.SECONDS);
        Sagas sagas = Sagas.create(vertx, SagaNode.REDIS, messaging, SagaNode.definition(name));
        String crashAt = point.replace("PAYMENT", name + ".payment");
        try (JavaProcess doomed = JavaProcess.start(Map.of("FLOTILLA_CRASH_AT", crashAt), SagaNode.class, amqp,
                name)) {
            doomed.awaitLine("ready", Duration.ofSeconds(30));
            String completes = sagas.begin(new JsonObject().put("item", "widget").put("amount", 500), null)
                    .await(10, TimeUnit.SECONDS);
            String compensates = sagas.begin(new JsonObject().put("item", "widget").put("amount", 200_000), null)
                    .await(10, TimeUnit.SECONDS);
            assertThat(doomed.waitFor(Duration.ofSeconds(30))).as("halted at " + crashAt).isEqualTo(137);
            assertThat(doomed.stdout()).contains("crash point " + crashAt.replaceFirst("@.*", ""));

            try (JavaProcess restarted = JavaProcess.start(SagaNode.class, amqp, name)) {
                restarted.awaitLine("ready", Duration.ofSeconds(30));
                Eventually.check("both sagas end", Duration.ofSeconds(40), () -> {
                    SagaState a = sagas.get(completes).await(5, TimeUnit.SECONDS);
                    SagaState b = sagas.get(compensates).await(5, TimeUnit.SECONDS);
                    return a.ended() && b.ended();
                });
                SagaState done = sagas.get(completes).await(5, TimeUnit.SECONDS);
                assertThat(done.status()).isEqualTo(Status.COMPLETED);
                assertThat(done.steps()).allMatch(s -> s.status() == StepStatus.DONE);
                SagaState undone = sagas.get(compensates).await(5, TimeUnit.SECONDS);
                assertThat(undone.status()).isEqualTo(Status.COMPENSATED);
                assertThat(undone.steps()).extracting(SagaState.StepState::status).containsExactly(
                        StepStatus.COMPENSATED, StepStatus.FAILED, StepStatus.PENDING);
                assertThat(undone.steps().get(1).reason()).isEqualTo("payment declined: over 100000 cents");

                // Give a repeated command time to arrive before counting (the relay's retry, a redelivery).
                Thread.sleep(1_000);
                assertThat(effects(completes)).isEqualTo(Map.of("reserve", 1, "charge", 1, "notify", 1));
                assertThat(effects(compensates)).isEqualTo(Map.of("reserve", 1, "release", 1));
                assertThat(sagas.history(compensates).await(5, TimeUnit.SECONDS).stream()
                        .map(e -> ((JsonObject) e).getString("event")).toList()).containsExactly("started",
                        "step reserve done", "step charge failed: payment declined: over 100000 cents; compensating "
                                + "reserve", "step reserve compensated; saga compensated");
            }
        } finally {
            sagas.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** How many times each action took effect for one saga. */
    private Map<String, Integer> effects(String sagaId) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        RedisCounts.of(redis, SagaNode.effects(name)).forEach((field, count) -> {
            if (field.startsWith(sagaId + ":")) {
                counts.put(field.substring(sagaId.length() + 1), count);
            }
        });
        return counts;
    }
}

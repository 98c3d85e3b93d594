package dev.flotilla.messaging.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.Message;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Subscription;
import dev.flotilla.messaging.Transports;
import dev.flotilla.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A business write and its message commit together in Redis; the relay publishes the message afterwards. */
class RedisOutboxTest {

    private static final String REDIS = "redis://127.0.0.1:6379";
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String queue = "outbox-test-" + id;
    private Vertx vertx;
    private Redis redis;
    private RedisOutbox outbox;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        redis = RedisClients.create(vertx, REDIS);
        outbox = RedisOutbox.create(vertx, REDIS, "test-" + id, 1024);
    }

    @AfterEach
    void stop() throws Exception {
        outbox.close().await(5, TimeUnit.SECONDS);
        redis.send(Request.cmd(Command.EVAL).arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do "
                + "redis.call('DEL', k) end return 1").arg(0).arg("*" + id + "*")).await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"amqp://guest:guest@127.0.0.1:5672", Transports.REDIS})
    void theWriteAndTheMessageCommitTogetherAndTheRelayPublishesIt(String amqp) throws Exception {
        Messaging target = Transports.connect(vertx, amqp, REDIS, 1 << 20).await(10, TimeUnit.SECONDS);
        List<Message> received = new CopyOnWriteArrayList<>();
        target.consume(queue, ConsumerOptions.DEFAULTS, message -> {
            received.add(message);
            return Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);
        String order = "order:" + id;
        OutboxMessage placed = new OutboxMessage(queue, new JsonObject().put("order", order),
                Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), null);

        // Committed while no relay runs: the message waits in the outbox, with the write already visible.
        outbox.commit(List.of(Request.cmd(Command.HSET).arg(order).arg("state").arg("PLACED")), List.of(placed))
                .await(5, TimeUnit.SECONDS);
        assertThat(redis.send(Request.cmd(Command.HGET).arg(order).arg("state")).await(5, TimeUnit.SECONDS)
                .toString()).isEqualTo("PLACED");
        Thread.sleep(300);
        assertThat(received).isEmpty();

        Subscription relay = outbox.relay(target, RedisOutbox.RELAY_OPTIONS).await(10, TimeUnit.SECONDS);
        try {
            Eventually.check("the relay published it", Duration.ofSeconds(10), () -> received.size() == 1);
            Message got = received.get(0);
            assertThat(got.id()).isEqualTo(placed.id());
            assertThat(got.body().getString("order")).isEqualTo(order);
            assertThat(got.traceparent()).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            assertThat(got.headers()).doesNotContainKey(RedisOutbox.DESTINATION);
            Eventually.check("the outbox is empty", Duration.ofSeconds(5), () -> redis.send(
                    Request.cmd(Command.XLEN).arg(outbox.stream())).await(5, TimeUnit.SECONDS).toInteger() == 0);
        } finally {
            relay.cancel().await(10, TimeUnit.SECONDS);
            target.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMessageThatCannotBeSentStopsTheWholeTransactionNamingWhy() throws Exception {
        String order = "order:" + id;
        OutboxMessage tooBig = OutboxMessage.of(queue, new JsonObject().put("blob", "x".repeat(2_000)));
        assertThatThrownBy(() -> outbox.commit(List.of(Request.cmd(Command.SET).arg(order).arg("PLACED")),
                List.of(tooBig)).await(5, TimeUnit.SECONDS)).hasMessageContaining("over the limit of 1024 bytes");
        OutboxMessage badQueue = OutboxMessage.of("no spaces", new JsonObject());
        assertThatThrownBy(() -> outbox.commit(List.of(Request.cmd(Command.SET).arg(order).arg("PLACED")),
                List.of(badQueue)).await(5, TimeUnit.SECONDS)).hasMessageContaining("queue name: 'no spaces'");
        assertThat(redis.send(Request.cmd(Command.EXISTS).arg(order)).await(5, TimeUnit.SECONDS).toInteger())
                .isZero();

        // A write Redis refuses while running the transaction is reported by its place.
        redis.send(Request.cmd(Command.SET).arg(order).arg("a string")).await(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> outbox.commit(List.of(Request.cmd(Command.HSET).arg(order).arg("f").arg("v")),
                List.of(OutboxMessage.of(queue, new JsonObject()))).await(5, TimeUnit.SECONDS))
                .hasMessageContaining("write 1 of the outbox transaction failed");
    }
}

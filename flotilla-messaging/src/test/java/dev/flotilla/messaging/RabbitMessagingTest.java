package dev.flotilla.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.flotilla.messaging.rabbit.RabbitMessaging;
import dev.flotilla.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Queues on the real RabbitMQ (localhost:5672, guest/guest) with deduplication in the real Redis: what a
 * service relies on when it sends work to another through a queue.
 */
class RabbitMessagingTest {

    private static final String AMQP_URI = "amqp://guest:guest@127.0.0.1:5672";
    private Vertx vertx;
    private Messaging messaging;
    private final String queue = "test-" + UUID.randomUUID();
    private final List<String> queues = List.of(queue, queue + ".dead-letters");

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379");
        messaging = RabbitMessaging.connect(vertx, AMQP_URI, new Deduplication(redis, Duration.ofMinutes(5)),
                64 * 1024).await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        messaging.close().await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
        try (Connection connection = raw(); Channel channel = connection.createChannel()) {
            for (String name : queues) {
                channel.queueDelete(name);
            }
            for (long delay : new long[] {100, 200, 400}) {
                channel.queueDelete(queue + ".retry." + delay);
            }
        }
    }

    private static Connection raw() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(AMQP_URI);
        return factory.newConnection();
    }

    private static long depth(String name) throws Exception {
        try (Connection connection = raw(); Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(name).getMessageCount();
        }
    }

    @Test
    void everyPublishedMessageIsHandledOnceAndLeavesTheQueue() throws Exception {
        List<Message> handled = new CopyOnWriteArrayList<>();
        messaging.consume(queue, ConsumerOptions.DEFAULTS, message -> {
            handled.add(message);
            return Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            messaging.publish(queue, new JsonObject().put("n", i), Map.of("traceparent",
                    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), null).await(10, TimeUnit.SECONDS);
        }
        Eventually.await("20 handled", Duration.ofSeconds(10), () -> handled.size() == 20);
        assertThat(handled).extracting(m -> m.body().getInteger("n")).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.range(0, 20).boxed().toList());
        assertThat(handled.get(0).attempt()).isEqualTo(1);
        assertThat(handled.get(0).traceparent()).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        Eventually.await("the queue is empty (all acknowledged)", Duration.ofSeconds(5), () -> {
            try {
                return depth(queue) == 0;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void aFailingMessageComesBackAfterGrowingDelaysThenBecomesADeadLetterWithItsReason() throws Exception {
        List<Long> attemptsAt = new CopyOnWriteArrayList<>();
        AtomicBoolean healthy = new AtomicBoolean(false);
        List<Message> handled = new CopyOnWriteArrayList<>();
        ConsumerOptions options = ConsumerOptions.DEFAULTS.withMaxAttempts(3)
                .withRetryDelays(Duration.ofMillis(200), Duration.ofSeconds(5));
        messaging.consume(queue, options, message -> {
            if (!healthy.get()) {
                attemptsAt.add(System.nanoTime());
                return Future.failedFuture("the inventory service answered 503");
            }
            handled.add(message);
            return Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);
        String id = messaging.publish(queue, new JsonObject().put("order", 7)).await(10, TimeUnit.SECONDS);

        Eventually.await("a dead letter", Duration.ofSeconds(15), () -> {
            try {
                return depth(queue + ".dead-letters") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(attemptsAt).as("three attempts, then no more").hasSize(3);
        long firstGapMs = (attemptsAt.get(1) - attemptsAt.get(0)) / 1_000_000;
        long secondGapMs = (attemptsAt.get(2) - attemptsAt.get(1)) / 1_000_000;
        assertThat(firstGapMs).as("the first retry waits its delay, at least").isGreaterThanOrEqualTo(200);
        assertThat(secondGapMs).as("the second waits twice as long, at least").isGreaterThanOrEqualTo(400);

        List<DeadLetter> letters = messaging.deadLetters(queue, 10).await(10, TimeUnit.SECONDS);
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).message().id()).isEqualTo(id);
        assertThat(letters.get(0).message().body()).isEqualTo(new JsonObject().put("order", 7));
        assertThat(letters.get(0).reason()).isEqualTo("the inventory service answered 503");
        assertThat(letters.get(0).attempts()).isEqualTo(3);
        assertThat(letters.get(0).failedAt()).isNotNull();
        assertThat(depth(queue + ".dead-letters")).as("listing leaves them where they are").isEqualTo(1);

        healthy.set(true);
        assertThat(messaging.replayDeadLetters(queue, 10).await(10, TimeUnit.SECONDS)).isEqualTo(1);
        Eventually.await("the replayed message is handled", Duration.ofSeconds(10), () -> handled.size() == 1);
        assertThat(handled.get(0).attempt()).as("attempts count from 1 again").isEqualTo(1);
        assertThat(handled.get(0).id()).isEqualTo(id);
        assertThat(depth(queue + ".dead-letters")).isZero();
    }

    @Test
    void aHandlerThatThrowsIsRetriedAndTheConsumerGoesOn() throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        ConsumerOptions options = ConsumerOptions.DEFAULTS.withRetryDelays(Duration.ofMillis(100), Duration.ofSeconds(1));
        messaging.consume(queue, options, message -> {
            attempts.add(message.attempt());
            if (message.attempt() == 1) {
                throw new IllegalStateException("a bug on the first try");
            }
            return Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);
        messaging.publish(queue, new JsonObject().put("x", 1)).await(10, TimeUnit.SECONDS);
        Eventually.await("handled on the second attempt", Duration.ofSeconds(10), () -> attempts.equals(List.of(1, 2)));
    }

    @Test
    void aBodyThatIsNotJsonBecomesADeadLetterAndTheNextMessageIsStillHandled() throws Exception {
        List<Message> handled = new CopyOnWriteArrayList<>();
        messaging.consume(queue, ConsumerOptions.DEFAULTS, message -> {
            handled.add(message);
            return Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);
        try (Connection connection = raw(); Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().messageId("raw-1").build(),
                    "not json at all".getBytes(StandardCharsets.UTF_8));
        }
        messaging.publish(queue, new JsonObject().put("after", true)).await(10, TimeUnit.SECONDS);
        Eventually.await("the good message is handled", Duration.ofSeconds(10), () -> handled.size() == 1);
        List<DeadLetter> letters = messaging.deadLetters(queue, 10).await(10, TimeUnit.SECONDS);
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).reason()).startsWith("the body is not a JSON object");
        assertThat(letters.get(0).attempts()).isZero();
        assertThat(messaging.purgeDeadLetters(queue).await(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void aMessagePublishedTwiceWithOneIdIsHandledOnce() throws Exception {
        List<Message> handled = new CopyOnWriteArrayList<>();
        messaging.consume(queue, ConsumerOptions.DEFAULTS.withPrefetch(1), message -> {
            handled.add(message);
            return Future.succeededFuture();
        }).await(10, TimeUnit.SECONDS);
        String id = "order-42-reserve";
        messaging.publish(queue, new JsonObject().put("n", 1), Map.of(), id).await(10, TimeUnit.SECONDS);
        messaging.publish(queue, new JsonObject().put("n", 1), Map.of(), id).await(10, TimeUnit.SECONDS);
        messaging.publish(queue, new JsonObject().put("n", 2)).await(10, TimeUnit.SECONDS);
        Eventually.await("the other message is handled", Duration.ofSeconds(10),
                () -> handled.stream().anyMatch(m -> m.body().getInteger("n") == 2));
        Eventually.await("both copies acknowledged", Duration.ofSeconds(5), () -> {
            try {
                return depth(queue) == 0;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(handled).filteredOn(m -> m.id().equals(id)).hasSize(1);
    }

    @Test
    void badInputIsRefusedWithAnErrorThatNamesIt() {
        assertThatThrownBy(() -> messaging.publish(queue, new JsonObject().put("big", "x".repeat(70_000)))
                .await(10, TimeUnit.SECONDS)).hasMessageContaining("over the limit of 65536 bytes");
        assertThatThrownBy(() -> messaging.publish("bad name!", new JsonObject()).await(10, TimeUnit.SECONDS))
                .hasMessageContaining("queue name: 'bad name!'");
        assertThatThrownBy(() -> messaging.consume("orders.dead-letters", ConsumerOptions.DEFAULTS,
                m -> Future.succeededFuture()).await(10, TimeUnit.SECONDS)).hasMessageContaining("queue name");
        assertThatThrownBy(() -> ConsumerOptions.DEFAULTS.withMaxAttempts(0)).hasMessageContaining("maxAttempts");
    }
}

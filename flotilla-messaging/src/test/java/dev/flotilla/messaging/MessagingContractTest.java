package dev.flotilla.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
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
 * What a service relies on when it sends work to another through a queue, the same for every transport
 * (RabbitMQ, Redis Streams), on the real broker and the real Redis: subclasses say how to open one and how
 * to look inside it.
 */
abstract class MessagingContractTest {

    Vertx vertx;
    Messaging messaging;
    final String queue = "test-" + UUID.randomUUID();

    /** The transport under test, with this deduplication and a 64 KB message limit. */
    abstract Messaging open(Vertx vertx, Deduplication deduplication) throws Exception;

    /** Puts a message whose body is {@code body} (not JSON) straight into the queue. */
    abstract void publishRaw(String queue, String body, String id) throws Exception;

    /** Messages still in the queue (not yet acknowledged, or not yet taken). */
    abstract long depth(String queue) throws Exception;

    abstract long deadLetterCount(String queue) throws Exception;

    /** Deletes what the test made. */
    abstract void cleanup(String queue) throws Exception;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379");
        messaging = open(vertx, new Deduplication(redis, Duration.ofMinutes(5)));
    }

    @AfterEach
    void stop() throws Exception {
        messaging.close().await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
        cleanup(queue);
    }

    private boolean empty(String name) {
        try {
            return depth(name) == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private boolean deadLetters(String name, long count) {
        try {
            return deadLetterCount(name) == count;
        } catch (Exception e) {
            return false;
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
        Eventually.await("the queue is empty (all acknowledged)", Duration.ofSeconds(5), () -> empty(queue));
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

        Eventually.await("a dead letter", Duration.ofSeconds(15), () -> deadLetters(queue, 1));
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
        assertThat(deadLetterCount(queue)).as("listing leaves them where they are").isEqualTo(1);

        healthy.set(true);
        assertThat(messaging.replayDeadLetters(queue, 10).await(10, TimeUnit.SECONDS)).isEqualTo(1);
        Eventually.await("the replayed message is handled", Duration.ofSeconds(10), () -> handled.size() == 1);
        assertThat(handled.get(0).attempt()).as("attempts count from 1 again").isEqualTo(1);
        assertThat(handled.get(0).id()).isEqualTo(id);
        assertThat(deadLetterCount(queue)).isZero();
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
        publishRaw(queue, "not json at all", "raw-1");
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
        Eventually.await("both copies acknowledged", Duration.ofSeconds(5), () -> empty(queue));
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

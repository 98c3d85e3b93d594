package dev.flotilla.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.messaging.rabbit.RabbitMessaging;
import dev.flotilla.messaging.rabbit.RabbitNode;
import dev.flotilla.messaging.redis.RedisStreamsMessaging;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.Ports;
import dev.flotilla.testing.RedisProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RabbitMQ's own Jepsen checker's question, asked of a broker killed with {@code -9} in the middle of 100 000
 * confirmed publishes, with a consumer running, then started again on its data: every confirmed message took
 * effect (lost 0), nothing else did (unexpected 0), and each took effect once (duplicated 0), the
 * redeliveries (at most what was in flight) dropped by the idempotent consumer. The broker is a RabbitMQ
 * node of the test's own, or, for the Redis Streams transport, a Redis that fsyncs every write (as the
 * fleet's embedded Redis does when it carries the queues). The consumer's effect and its deduplication mark
 * are one transaction in Redis.
 */
class BrokerKillTest {

    private static final int TOTAL = 100_000;
    private static final int PUBLISHING = 256;
    private static final int PREFETCH = 256;
    private static final int KILL_AT = 30_000;

    /** Something a test does that may throw. */
    private interface Step {
        void run() throws Exception;
    }

    /** The broker under test: killed, then started again, then closed. */
    private record Broker(Step kill, Step start, AutoCloseable process) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            process.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rabbitmq", "redis-streams"})
    void aBrokerKilledMidStreamLosesNothingConfirmedAndEachMessageTakesEffectOnce(String transport)
            throws Exception {
        Path data = Files.createTempDirectory("broker-kill-");
        String queue = "kill-" + System.nanoTime();
        Vertx vertx = Vertx.vertx();
        boolean rabbit = transport.equals("rabbitmq");
        RabbitNode node = rabbit ? RabbitNode.start(data, Ports.free(), Ports.free()) : null;
        RedisProcess durableRedis = rabbit ? null : RedisProcess.durable(data);
        String redisUrl = rabbit ? "redis://127.0.0.1:6379" : durableRedis.url();
        Broker broker = rabbit ? new Broker(node::kill, node::start, node)
                : new Broker(durableRedis::kill, durableRedis::restart, durableRedis);
        Redis redis = RedisClients.create(vertx, redisUrl);
        String effects = queue + ":effects";
        try (broker) {
            Deduplication deduplication = Deduplication.connect(vertx, redisUrl, Duration.ofMinutes(10));
            Messaging messaging = (rabbit ? RabbitMessaging.connect(vertx, node.uri(), deduplication, 1 << 16)
                    : RedisStreamsMessaging.connect(vertx, redisUrl, deduplication, 1 << 16))
                    .await(30, TimeUnit.SECONDS);
            LongAdder deliveries = new LongAdder();
            messaging.consume(queue, ConsumerOptions.DEFAULTS.withPrefetch(PREFETCH)
                    .withRetryDelays(Duration.ofMillis(200), Duration.ofSeconds(2)), message -> {
                        deliveries.increment();
                        return redis.batch(List.of(Request.cmd(Command.MULTI),
                                Request.cmd(Command.HINCRBY).arg(effects).arg(message.id()).arg(1),
                                deduplication.markRequest(queue, message.id()), Request.cmd(Command.EXEC)))
                                .mapEmpty();
                    }).await(30, TimeUnit.SECONDS);

            Set<String> confirmed = ConcurrentHashMap.newKeySet();
            LongAdder failedPublishes = new LongAdder();
            Semaphore window = new Semaphore(PUBLISHING);
            Thread restarter = null;
            long started = System.nanoTime();
            for (int i = 0; i < TOTAL; i++) {
                window.acquire();
                publishUntilConfirmed(vertx, messaging, queue, "m-" + i, i, confirmed, failedPublishes, window);
                if (i == KILL_AT) {
                    Eventually.await("some confirmed before the kill", Duration.ofSeconds(60),
                            () -> confirmed.size() > KILL_AT - PUBLISHING);
                    broker.kill().run();
                    restarter = new Thread(() -> {
                        try {
                            Thread.sleep(1_000);
                            broker.start().run();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    restarter.start();
                }
            }
            restarter.join();
            Eventually.await("every publish confirmed", Duration.ofMinutes(3), () -> confirmed.size() == TOTAL);
            double seconds = (System.nanoTime() - started) / 1e9;
            Eventually.check("every confirmed message took effect", Duration.ofMinutes(2),
                    () -> RedisCounts.of(redis, effects).keySet().containsAll(confirmed));
            Thread.sleep(2_000); // late redeliveries, if any, arrive now

            Map<String, Integer> took = RedisCounts.of(redis, effects);
            Set<String> lost = new HashSet<>(confirmed);
            lost.removeAll(took.keySet());
            Set<String> unexpected = new HashSet<>(took.keySet());
            for (int i = 0; i < TOTAL; i++) {
                unexpected.remove("m-" + i);
            }
            long duplicated = took.values().stream().filter(n -> n > 1).count();
            System.out.printf("%s kill -9 at %d of %d: %.1f s, lost %d, unexpected %d, duplicated %d, "
                    + "deliveries %d, redeliveries dropped by deduplication %d, publishes failed and retried %d%n",
                    transport, KILL_AT, TOTAL, seconds, lost.size(), unexpected.size(), duplicated,
                    deliveries.sum(), deduplication.duplicatesDropped(), failedPublishes.sum());
            assertThat(lost).as("lost").isEmpty();
            assertThat(unexpected).as("unexpected").isEmpty();
            assertThat(duplicated).as("duplicated").isZero();
            assertThat(failedPublishes.sum()).as("the kill was felt by the publisher").isPositive();
            assertThat(deduplication.duplicatesDropped()).as("duplicates, at most what was in flight")
                    .isLessThanOrEqualTo(PUBLISHING + PREFETCH);
            messaging.close().await(30, TimeUnit.SECONDS);
            if (rabbit) { // the machine's Redis; the test's own goes away with its data
                redis.send(Request.cmd(Command.DEL).arg(effects)).await(10, TimeUnit.SECONDS);
            }
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }


    /** A publisher that keeps its promise: a publish that failed is sent again, under the same id. */
    private static void publishUntilConfirmed(Vertx vertx, Messaging messaging, String queue, String id, int n,
            Set<String> confirmed, LongAdder failed, Semaphore window) {
        messaging.publish(queue, new JsonObject().put("n", n), Map.of(), id).onComplete(ar -> {
            if (ar.succeeded()) {
                confirmed.add(id);
                window.release();
            } else {
                failed.increment();
                vertx.setTimer(200, t -> publishUntilConfirmed(vertx, messaging, queue, id, n, confirmed, failed,
                        window));
            }
        });
    }
}

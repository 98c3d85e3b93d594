package dev.flotilla.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.messaging.rabbit.RabbitMessaging;
import dev.flotilla.messaging.rabbit.RabbitNode;
import dev.flotilla.testing.Eventually;
import dev.flotilla.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ's own Jepsen checker's question, asked of a node killed with {@code -9} in the middle of 100 000
 * confirmed publishes, with a consumer running, then started again: every confirmed message is handled
 * (lost 0), nothing else is (unexpected 0), and each is handled once, the redeliveries (at most what was in
 * flight) dropped by the idempotent consumer.
 */
class BrokerKillTest {

    private static final int TOTAL = 100_000;
    private static final int PUBLISHING = 256;
    private static final int PREFETCH = 256;
    private static final int KILL_AT = 30_000;

    @Test
    void aBrokerKilledMidStreamLosesNothingConfirmedAndTheConsumerHandlesEachOnce() throws Exception {
        Path data = Files.createTempDirectory("rabbit-kill-");
        String queue = "kill-" + System.nanoTime();
        Vertx vertx = Vertx.vertx();
        try (RabbitNode node = RabbitNode.start(data, Ports.free(), Ports.free())) {
            Deduplication deduplication = Deduplication.connect(vertx, "redis://127.0.0.1:6379",
                    Duration.ofMinutes(10));
            Messaging messaging = RabbitMessaging.connect(vertx, node.uri(), deduplication, 1 << 16)
                    .await(30, TimeUnit.SECONDS);
            Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
            messaging.consume(queue, ConsumerOptions.DEFAULTS.withPrefetch(PREFETCH), message -> {
                handled.computeIfAbsent(message.id(), id -> new AtomicInteger()).incrementAndGet();
                return Future.succeededFuture();
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
                    node.kill();
                    restarter = new Thread(() -> {
                        try {
                            Thread.sleep(1_000);
                            node.start();
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
            Eventually.await("every confirmed message handled", Duration.ofMinutes(2),
                    () -> handled.keySet().containsAll(confirmed));
            Thread.sleep(2_000); // late redeliveries, if any, arrive now

            Set<String> lost = new HashSet<>(confirmed);
            lost.removeAll(handled.keySet());
            Set<String> unexpected = new HashSet<>(handled.keySet());
            for (int i = 0; i < TOTAL; i++) {
                unexpected.remove("m-" + i);
            }
            long handledTwice = handled.values().stream().filter(n -> n.get() > 1).count();
            System.out.printf("broker kill -9 at %d of %d: %.1f s, lost %d, unexpected %d, handled twice %d, "
                    + "redeliveries dropped by deduplication %d, publishes failed and retried %d%n", KILL_AT,
                    TOTAL, seconds, lost.size(), unexpected.size(), handledTwice,
                    deduplication.duplicatesDropped(), failedPublishes.sum());
            assertThat(lost).as("lost").isEmpty();
            assertThat(unexpected).as("unexpected").isEmpty();
            assertThat(handledTwice).as("handled twice").isZero();
            assertThat(failedPublishes.sum()).as("the kill was felt by the publisher").isPositive();
            assertThat(deduplication.duplicatesDropped()).as("duplicates, at most what was in flight")
                    .isLessThanOrEqualTo(PUBLISHING + PREFETCH);
            messaging.close().await(30, TimeUnit.SECONDS);
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

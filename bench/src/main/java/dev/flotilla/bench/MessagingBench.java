package dev.flotilla.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Subscription;
import dev.flotilla.messaging.Transports;
import dev.flotilla.messaging.rabbit.RabbitMessaging;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 12's messaging benchmark: N persistent messages published with confirms (at most WINDOW unconfirmed)
 * and consumed with manual acknowledgements (prefetch PREFETCH) from a durable quorum queue, through
 * flotilla-messaging (every reliability feature on: deduplication in Redis, retries, dead letters) and through
 * a plain amqp-client program with the same settings, on the same broker, in interleaved rounds after a
 * warm-up; then the Redis Streams transport, and RabbitMQ without deduplication (to show what it costs). Prints msgs/s, p50/p99 publish-to-consume latency, the ratio.
 * <p>
 * Args: AMQP_URI REDIS_URL [MESSAGES per round, 20000] [ROUNDS, 5] [WARMUP seconds, 30]
 */
public final class MessagingBench {

    private static final int WINDOW = 512;
    private static final int PREFETCH = 64;

    private record Round(double perSecond, double p50Ms, double p99Ms) {
        @Override
        public String toString() {
            return String.format("%8.0f msg/s   p50 %6.2f ms   p99 %7.2f ms", perSecond, p50Ms, p99Ms);
        }
    }

    private interface Runner {
        /** {@code messages} at {@code rate} per second (0: as fast as confirms allow). */
        Round run(int messages, int rate) throws Exception;

        default Round run(int messages) throws Exception {
            return run(messages, 0);
        }
    }

    /** Waits until message {@code i} of a paced run is due. */
    private static void pace(long start, int i, int rate) {
        if (rate > 0) {
            long due = start + (long) (i * (1e9 / rate));
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    private MessagingBench() {
    }

    public static void main(String[] args) throws Exception {
        String amqp = args[0];
        String redis = args[1];
        int messages = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        Vertx vertx = Vertx.vertx();
        Runner plain = (n, rate) -> plain(amqp, n, rate);
        Runner flotilla = (n, rate) -> flotilla(vertx, amqp, redis, n, rate);
        Runner streams = (n, rate) -> flotilla(vertx, Transports.REDIS, redis, n, rate);
        Runner bare = (n, rate) -> run(vertx, RabbitMessaging.connect(vertx, amqp, null, 1 << 20)
                .await(30, TimeUnit.SECONDS), amqp, n, rate);

        System.out.println("cold (the first round of each, on a fresh JVM):");
        System.out.println("  plain amqp-client    " + plain.run(messages / 4));
        System.out.println("  flotilla (RabbitMQ)  " + flotilla.run(messages / 4));
        System.out.println("  flotilla (Streams)   " + streams.run(messages / 4));
        System.out.println("  flotilla, no dedup   " + bare.run(messages / 4));
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        while (System.nanoTime() < warmEnd) {
            plain.run(messages / 4);
            flotilla.run(messages / 4);
            streams.run(messages / 4);
            bare.run(messages / 4);
        }
        List<Round> plainRounds = new ArrayList<>();
        List<Round> flotillaRounds = new ArrayList<>();
        List<Round> streamsRounds = new ArrayList<>();
        List<Round> bareRounds = new ArrayList<>();
        System.out.printf("warm, %d rounds of %d messages, interleaved:%n", rounds, messages);
        for (int r = 1; r <= rounds; r++) {
            Round p = plain.run(messages);
            Round f = flotilla.run(messages);
            Round s = streams.run(messages);
            Round b = bare.run(messages);
            plainRounds.add(p);
            flotillaRounds.add(f);
            streamsRounds.add(s);
            bareRounds.add(b);
            System.out.printf("  round %d  plain    %s%n           flotilla %s%n           streams  %s%n"
                    + "           no dedup %s%n", r, p, f, s, b);
        }
        Round p = median(plainRounds);
        Round f = median(flotillaRounds);
        Round s = median(streamsRounds);
        System.out.println("medians:");
        System.out.println("  plain amqp-client    " + p);
        System.out.println("  flotilla (RabbitMQ)  " + f);
        System.out.println("  flotilla (Streams)   " + s);
        System.out.println("  flotilla, no dedup   " + median(bareRounds));
        System.out.printf("ratio flotilla/plain (msg/s): %.2fx (aim: at least 0.95x)%n", f.perSecond() / p.perSecond());

        // Latency at a steady 1000 msg/s, well under every side's capacity: at full speed the queue's backlog
        // is most of the latency above.
        int rate = 1_000;
        List<List<Round>> steady = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<Runner> all = List.of(plain, flotilla, streams, bare);
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < all.size(); k++) {
                steady.get(k).add(all.get(k).run(rate * 5, rate));
            }
        }
        System.out.printf("latency at a steady %d msg/s (medians of 3 rounds of 5 s):%n", rate);
        String[] names = {"plain amqp-client  ", "flotilla (RabbitMQ)", "flotilla (Streams) ", "flotilla, no dedup "};
        for (int k = 0; k < all.size(); k++) {
            Round m = median(steady.get(k));
            System.out.printf("  %s  p50 %6.2f ms   p99 %7.2f ms%n", names[k], m.p50Ms(), m.p99Ms());
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static Round median(List<Round> rounds) {
        double[] rate = rounds.stream().mapToDouble(Round::perSecond).sorted().toArray();
        double[] p50 = rounds.stream().mapToDouble(Round::p50Ms).sorted().toArray();
        double[] p99 = rounds.stream().mapToDouble(Round::p99Ms).sorted().toArray();
        return new Round(rate[rate.length / 2], p50[p50.length / 2], p99[p99.length / 2]);
    }

    private static Round result(long startNanos, long endNanos, long[] latencies, int n) {
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        return new Round(n / ((endNanos - startNanos) / 1e9), sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6);
    }

    /** The anchor: the official client alone, with the same durability and flow settings. */
    private static Round plain(String amqp, int n, int rate) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(amqp);
        String queue = "bench-plain-" + System.nanoTime();
        try (Connection connection = factory.newConnection()) {
            Channel publisher = connection.createChannel();
            Channel consumer = connection.createChannel();
            publisher.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
            publisher.confirmSelect();
            Semaphore window = new Semaphore(WINDOW);
            ConcurrentNavigableMap<Long, Boolean> outstanding = new ConcurrentSkipListMap<>();
            publisher.addConfirmListener((seq, multiple) -> confirmed(outstanding, window, seq, multiple),
                    (seq, multiple) -> confirmed(outstanding, window, seq, multiple));
            long[] latencies = new long[n];
            AtomicInteger received = new AtomicInteger();
            CountDownLatch all = new CountDownLatch(n);
            consumer.basicQos(PREFETCH);
            consumer.basicConsume(queue, false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] body) throws IOException {
                    long sent = new JsonObject(new String(body, StandardCharsets.UTF_8)).getLong("t");
                    int i = received.getAndIncrement();
                    if (i < n) {
                        latencies[i] = System.nanoTime() - sent;
                    }
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                    all.countDown();
                }
            });
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                pace(start, i, rate);
                window.acquire();
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().deliveryMode(2)
                        .contentType("application/json").messageId("m-" + i).build();
                outstanding.put(publisher.getNextPublishSeqNo(), true);
                publisher.basicPublish("", queue, properties, new JsonObject().put("n", i).put("t", System.nanoTime())
                        .toBuffer().getBytes());
            }
            all.await(5, TimeUnit.MINUTES);
            long end = System.nanoTime();
            publisher.queueDelete(queue);
            return result(start, end, latencies, n);
        }
    }

    private static void confirmed(ConcurrentNavigableMap<Long, Boolean> outstanding, Semaphore window, long seq,
            boolean multiple) {
        Map<Long, Boolean> done = multiple ? outstanding.headMap(seq, true) : outstanding.subMap(seq, true, seq, true);
        int count = done.size();
        done.clear();
        window.release(count);
    }

    /** The same through flotilla-messaging, as a service uses it. */
    private static Round flotilla(Vertx vertx, String amqp, String redis, int n, int rate) throws Exception {
        return run(vertx, Transports.connect(vertx, amqp, redis, 1 << 20).await(30, TimeUnit.SECONDS), amqp, n,
                rate);
    }

    private static Round run(Vertx vertx, Messaging messaging, String amqp, int n, int rate) throws Exception {
        String queue = "bench-flotilla-" + System.nanoTime();
        long[] latencies = new long[n];
        AtomicInteger received = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(n);
        Subscription subscription = messaging.consume(queue, ConsumerOptions.DEFAULTS.withPrefetch(PREFETCH),
                message -> {
                    int i = received.getAndIncrement();
                    if (i < n) {
                        latencies[i] = System.nanoTime() - message.body().getLong("t");
                    }
                    all.countDown();
                    return Future.succeededFuture();
                }).await(30, TimeUnit.SECONDS);
        Semaphore window = new Semaphore(WINDOW);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            pace(start, i, rate);
            window.acquire();
            messaging.publish(queue, new JsonObject().put("n", i).put("t", System.nanoTime()))
                    .onComplete(ar -> window.release());
        }
        all.await(5, TimeUnit.MINUTES);
        long end = System.nanoTime();
        subscription.cancel().await(30, TimeUnit.SECONDS);
        messaging.purgeDeadLetters(queue).await(30, TimeUnit.SECONDS);
        messaging.close().await(30, TimeUnit.SECONDS);
        if (!amqp.equals(Transports.REDIS)) {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(amqp);
            try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                channel.queueDelete(queue);
                channel.queueDelete(queue + ".dead-letters");
            }
        }
        return result(start, end, latencies, n);
    }
}

package dev.flotilla.messaging.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.DeadLetter;
import dev.flotilla.messaging.Deliveries;
import dev.flotilla.messaging.Deduplication;
import dev.flotilla.messaging.Message;
import dev.flotilla.messaging.MessageHandler;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.QueueSpans;
import dev.flotilla.messaging.Subscription;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Messaging} on RabbitMQ, through the official Java client.
 * <ul>
 * <li>Queues are durable quorum queues. Each queue {@code Q} has {@code Q.dead-letters} beside it, and a queue
 * per retry delay, {@code Q.retry.<ms>}, whose messages expire back into {@code Q} after that delay: a failed
 * message waits there instead of coming straight back (no requeue loop), and every message in one retry
 * queue waits the same, so none holds up another.</li>
 * <li>A publish is persistent and completes when the broker confirms it (publisher confirms); a nack or a
 * connection lost before the confirm fails it.</li>
 * <li>A delivery is acknowledged after its handler succeeded, or after its retry or dead letter was
 * confirmed: a crash in between delivers it again, never loses it.</li>
 * <li>The connection recovers by itself (and with it the consumers) after a network failure or a broker
 * restart.</li>
 * </ul>
 * The client's calls block, so they run on Vert.x worker threads; handlers run on a Vert.x context.
 */
public final class RabbitMessaging implements Messaging {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMessaging.class);
    static final String ATTEMPT = "x-flotilla-attempt";
    static final String REASON = "x-flotilla-reason";
    static final String ATTEMPTS = "x-flotilla-attempts";
    static final String FAILED_AT = "x-flotilla-failed-at";
    static final String TRACEPARENT = "traceparent";
    /** How long a publish waits for the broker's confirm before it fails (and the publisher may retry). */
    static final long CONFIRM_TIMEOUT_MS = 30_000;
    private static final Set<String> OWN_HEADERS = Set.of(ATTEMPT, REASON, ATTEMPTS, FAILED_AT);

    private final Vertx vertx;
    private final Context context;
    /** Publishes (and confirms) only: when the broker throttles publishers, consumers go on. */
    private final Connection connection;
    /** Consumes and acknowledges, apart from publishing, as RabbitMQ advises. */
    private final Connection consuming;
    private final Channel publisher;
    private final ConcurrentNavigableMap<Long, Promise<Void>> unconfirmed = new ConcurrentSkipListMap<>();
    private final Set<String> declared = ConcurrentHashMap.newKeySet();
    private final Queue<Outgoing> outgoing = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Deduplication deduplication;
    private final int maxMessageBytes;

    private RabbitMessaging(Vertx vertx, Connection connection, Connection consuming, Deduplication deduplication,
            int maxMessageBytes) throws IOException {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.connection = connection;
        this.consuming = consuming;
        this.deduplication = deduplication;
        this.maxMessageBytes = maxMessageBytes;
        this.publisher = connection.createChannel();
        publisher.confirmSelect();
        publisher.addConfirmListener((seq, multiple) -> confirmed(seq, multiple, null),
                (seq, multiple) -> confirmed(seq, multiple, "the broker refused the message (nack)"));
        publisher.addShutdownListener(cause -> failUnconfirmed("the connection to RabbitMQ was lost before the "
                + "broker confirmed the message: " + cause.getMessage()));
    }

    /**
     * Connects to RabbitMQ at {@code uri} ({@code amqp://user:password@host:port/vhost}).
     *
     * @param deduplication where handled message ids are kept, or null for none (then a message delivered
     *                      again is handled again)
     */
    public static Future<Messaging> connect(Vertx vertx, String uri, Deduplication deduplication,
            int maxMessageBytes) {
        return connect(vertx, uri, deduplication, maxMessageBytes, Duration.ZERO);
    }

    /**
     * Like {@link #connect(Vertx, String, Deduplication, int)}, trying again for up to {@code brokerWait} while
     * the broker refuses connections: a service started beside its fleet's broker waits for it to come up
     * (the client's own recovery applies only once a first connection was made).
     */
    public static Future<Messaging> connect(Vertx vertx, String uri, Deduplication deduplication,
            int maxMessageBytes, Duration brokerWait) {
        return vertx.executeBlocking(() -> {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(uri);
            factory.setAutomaticRecoveryEnabled(true);
            factory.setTopologyRecoveryEnabled(true);
            factory.setNetworkRecoveryInterval(1_000);
            factory.setConnectionTimeout(5_000);
            long deadline = System.nanoTime() + brokerWait.toNanos();
            Connection connection = null;
            for (int attempt = 1; connection == null; attempt++) {
                try {
                    connection = factory.newConnection("flotilla-publish");
                } catch (java.net.ConnectException refused) {
                    if (System.nanoTime() > deadline) {
                        throw refused;
                    }
                    if (attempt == 1) { // said once: a fleet's broker takes a few seconds to start
                        LOG.info("messaging: RabbitMQ does not take connections yet ({}); waiting up to {} s",
                                refused.getMessage(), brokerWait.toSeconds());
                    }
                    Thread.sleep(500);
                }
            }
            try {
                return new RabbitMessaging(vertx, connection, factory.newConnection("flotilla-consume"), deduplication,
                        maxMessageBytes);
            } catch (IOException | RuntimeException e) {
                connection.abort();
                throw e;
            }
        }, false);
    }

    // --- publishing

    @Override
    public Future<String> publish(String queue, JsonObject body, Map<String, String> headers, String id) {
        String messageId = id == null ? UUID.randomUUID().toString() : id;
        byte[] bytes;
        try {
            bytes = Deliveries.encode(queue, body, maxMessageBytes);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        Map<String, Object> amqpHeaders = new HashMap<>(QueueSpans.withTrace(headers));
        amqpHeaders.keySet().removeAll(OWN_HEADERS);
        amqpHeaders.put(ATTEMPT, 1);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().deliveryMode(2)
                .contentType("application/json").messageId(messageId).timestamp(new Date())
                .headers(amqpHeaders).build();
        Future<Void> declared = this.declared.contains(queue) ? Future.succeededFuture() : blocking(() -> {
            declare(queue);
            return null;
        });
        return declared.compose(v -> send(queue, properties, bytes)).map(messageId);
    }

    /** A publish waiting for the publishing thread. */
    private record Outgoing(String queue, AMQP.BasicProperties properties, byte[] body, Promise<Void> confirmed) {
    }

    /**
     * Publishes to a queue with confirms; completes (on the context) when the broker confirmed, and fails when
     * it refused, when the connection was lost first, or when no confirm came within {@link #CONFIRM_TIMEOUT_MS}.
     * Publishes wait in a queue that one worker at a time drains: a burst costs one hand-off to a worker, not
     * one per message, and the channel's lock is taken once per burst.
     */
    private Future<Void> send(String queue, AMQP.BasicProperties properties, byte[] body) {
        Promise<Void> confirmed = Promise.promise();
        outgoing.add(new Outgoing(queue, properties, body, confirmed));
        if (draining.compareAndSet(false, true)) {
            vertx.executeBlocking(this::drain, false);
        }
        return confirmed.future().timeout(CONFIRM_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private Void drain() {
        do {
            synchronized (publisher) { // a channel takes one publish at a time; the sequence number is per channel
                for (Outgoing next = outgoing.poll(); next != null; next = outgoing.poll()) {
                    long seq = publisher.getNextPublishSeqNo();
                    unconfirmed.put(seq, next.confirmed());
                    try {
                        publisher.basicPublish("", next.queue(), next.properties(), next.body());
                    } catch (IOException | RuntimeException e) {
                        // Never sent: its number is given again once the channel recovers, to another publish.
                        unconfirmed.remove(seq, next.confirmed());
                        Promise<Void> failed = next.confirmed();
                        context.runOnContext(v -> failed.tryFail(e));
                    }
                }
            }
            draining.set(false);
        } while (!outgoing.isEmpty() && draining.compareAndSet(false, true));
        return null;
    }

    private void confirmed(long seq, boolean multiple, String failure) {
        Map<Long, Promise<Void>> done = multiple ? unconfirmed.headMap(seq, true) : unconfirmed.subMap(seq, true,
                seq, true);
        List<Promise<Void>> promises = new ArrayList<>(done.values());
        done.clear();
        context.runOnContext(v -> promises.forEach(p -> {
            if (failure == null) {
                p.tryComplete();
            } else {
                p.tryFail(failure);
            }
        }));
    }

    private void failUnconfirmed(String why) {
        List<Promise<Void>> promises = new ArrayList<>(unconfirmed.values());
        unconfirmed.clear();
        context.runOnContext(v -> promises.forEach(p -> p.tryFail(why)));
    }

    // --- topology


    /** The queue and its dead letters, once per process (declaring is idempotent on the broker). */
    private void declare(String queue) throws IOException {
        if (declared.contains(queue)) {
            return;
        }
        synchronized (publisher) {
            Map<String, Object> quorum = Map.of("x-queue-type", "quorum");
            publisher.queueDeclare(queue, true, false, false, quorum);
            publisher.queueDeclare(deadLetters(queue), true, false, false, quorum);
        }
        declared.add(queue);
    }

    private static String deadLetters(String queue) {
        return queue + ".dead-letters";
    }

    /** The queue where a message waits {@code delayMs} before it expires back into {@code queue}. */
    private String retryQueue(String queue, long delayMs) throws IOException {
        String name = queue + ".retry." + delayMs;
        if (!declared.contains(name)) {
            synchronized (publisher) {
                publisher.queueDeclare(name, true, false, false, Map.of("x-message-ttl", delayMs,
                        "x-dead-letter-exchange", "", "x-dead-letter-routing-key", queue));
            }
            declared.add(name);
        }
        return name;
    }

    // --- consuming

    @Override
    public Future<Subscription> consume(String queue, ConsumerOptions options, MessageHandler handler) {
        return Deliveries.checked(queue).compose(checked -> blocking(() -> {
            declare(queue);
            Channel channel = consuming.createChannel();
            channel.basicQos(options.prefetch());
            String tag = channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] body) {
                    delivered(queue, options, handler, channel, envelope.getDeliveryTag(), properties, body);
                }
            });
            return (Subscription) () -> blocking(() -> {
                channel.basicCancel(tag);
                channel.close();
                return null;
            });
        }));
    }

    private void delivered(String queue, ConsumerOptions options, MessageHandler handler, Channel channel,
            long deliveryTag, AMQP.BasicProperties properties, byte[] body) {
        Map<String, Object> headers = properties.getHeaders() == null ? Map.of() : properties.getHeaders();
        int attempt = headers.get(ATTEMPT) instanceof Number n ? n.intValue() : 1;
        String id = properties.getMessageId();
        JsonObject json;
        try {
            json = new JsonObject(Buffer.buffer(body));
        } catch (RuntimeException e) {
            deadLetter(queue, channel, deliveryTag, properties, body, attempt - 1,
                    "the body is not a JSON object: " + e.getMessage());
            return;
        }
        if (id == null || id.isBlank()) {
            deadLetter(queue, channel, deliveryTag, properties, body, attempt - 1, "the message has no id");
            return;
        }
        Map<String, String> userHeaders = new HashMap<>();
        headers.forEach((name, value) -> {
            if (!OWN_HEADERS.contains(name) && !name.startsWith("x-death") && value != null) {
                userHeaders.put(name, value.toString());
            }
        });
        Message message = new Message(id, queue, json, Map.copyOf(userHeaders), attempt,
                userHeaders.get(TRACEPARENT));
        context.runOnContext(v -> Deliveries.handle(message, handler, options, deduplication, "rabbitmq")
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        ack(channel, deliveryTag);
                    } else {
                        failed(queue, options, channel, deliveryTag, properties, body, attempt, ar.cause());
                    }
                }));
    }

    private void failed(String queue, ConsumerOptions options, Channel channel, long deliveryTag,
            AMQP.BasicProperties properties, byte[] body, int attempt, Throwable cause) {
        String reason = Deliveries.reason(cause);
        int next = Deliveries.nextAttempt(attempt, cause);
        if (next > attempt && attempt >= options.maxAttempts()) {
            deadLetter(queue, channel, deliveryTag, properties, body, attempt, reason);
            return;
        }
        long delay = options.retryDelay(attempt).toMillis();
        Map<String, Object> headers = new HashMap<>(properties.getHeaders() == null ? Map.of()
                : properties.getHeaders());
        headers.keySet().removeIf(name -> name.startsWith("x-death"));
        headers.put(ATTEMPT, next);
        headers.put(REASON, reason);
        blocking(() -> retryQueue(queue, delay))
                .compose(retry -> send(retry, properties.builder().headers(headers).build(), body))
                .onSuccess(v -> ack(channel, deliveryTag))
                .onFailure(e -> nack(channel, deliveryTag, "could not schedule the retry: " + e.getMessage()));
    }

    private void deadLetter(String queue, Channel channel, long deliveryTag, AMQP.BasicProperties properties,
            byte[] body, int attempts, String reason) {
        Map<String, Object> headers = new HashMap<>(properties.getHeaders() == null ? Map.of()
                : properties.getHeaders());
        headers.keySet().removeIf(name -> name.startsWith("x-death"));
        headers.put(REASON, reason);
        headers.put(ATTEMPTS, attempts);
        headers.put(FAILED_AT, Instant.now().toString());
        LOG.warn("messaging: a message of queue '{}' goes to its dead letters after {} attempts: {}", queue,
                attempts, reason);
        send(deadLetters(queue), properties.builder().headers(headers).build(), body)
                .onSuccess(v -> ack(channel, deliveryTag))
                .onFailure(e -> nack(channel, deliveryTag, "could not write the dead letter: " + e.getMessage()));
    }

    /**
     * Acknowledges on the calling thread: an ack is a few bytes on the consuming connection, which the broker
     * never throttles (only publishing connections are blocked), so it does not wait the way a publish can.
     */
    private void ack(Channel channel, long deliveryTag) {
        try {
            synchronized (channel) {
                channel.basicAck(deliveryTag, false);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("messaging: an acknowledgement was lost ({}); the broker will deliver the message again",
                    e.getMessage());
        }
    }

    /** Puts the delivery back as it is: nothing about it could be recorded, so it is tried again later. */
    private void nack(Channel channel, long deliveryTag, String why) {
        LOG.warn("messaging: {}; the message goes back to its queue", why);
        blocking(() -> {
            synchronized (channel) {
                channel.basicNack(deliveryTag, false, true);
            }
            return null;
        });
    }

    // --- dead letters

    @Override
    public Future<List<DeadLetter>> deadLetters(String queue, int limit) {
        return withChannel(queue, channel -> {
            List<DeadLetter> letters = new ArrayList<>();
            for (int i = 0; i < limit; i++) {
                GetResponse got = channel.basicGet(deadLetters(queue), false);
                if (got == null) {
                    break;
                }
                letters.add(deadLetter(queue, got));
            }
            return letters; // closing the channel puts them all back
        });
    }

    @Override
    public Future<Integer> replayDeadLetters(String queue, int limit) {
        return withChannel(queue, channel -> {
            int replayed = 0;
            for (int i = 0; i < limit; i++) {
                GetResponse got = channel.basicGet(deadLetters(queue), false);
                if (got == null) {
                    break;
                }
                Map<String, Object> headers = new HashMap<>(got.getProps().getHeaders() == null ? Map.of()
                        : got.getProps().getHeaders());
                headers.keySet().removeAll(OWN_HEADERS);
                headers.keySet().removeIf(name -> name.startsWith("x-death"));
                headers.put(ATTEMPT, 1);
                send(queue, got.getProps().builder().headers(headers).build(), got.getBody())
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                channel.basicAck(got.getEnvelope().getDeliveryTag(), false);
                replayed++;
            }
            return replayed;
        });
    }

    @Override
    public Future<Integer> purgeDeadLetters(String queue) {
        return withChannel(queue, channel -> channel.queuePurge(deadLetters(queue)).getMessageCount());
    }

    private interface ChannelWork<T> {
        T run(Channel channel) throws Exception;
    }

    private <T> Future<T> withChannel(String queue, ChannelWork<T> work) {
        return Deliveries.checked(queue).compose(checked -> blocking(() -> {
            declare(queue);
            try (Channel channel = connection.createChannel()) {
                return work.run(channel);
            }
        }));
    }

    private static DeadLetter deadLetter(String queue, GetResponse got) {
        Map<String, Object> headers = got.getProps().getHeaders() == null ? Map.of() : got.getProps().getHeaders();
        JsonObject body;
        try {
            body = new JsonObject(Buffer.buffer(got.getBody()));
        } catch (RuntimeException e) {
            body = new JsonObject().put("undecodable", new String(got.getBody(), StandardCharsets.UTF_8));
        }
        Map<String, String> userHeaders = new HashMap<>();
        headers.forEach((name, value) -> {
            if (!OWN_HEADERS.contains(name) && !name.startsWith("x-death") && value != null) {
                userHeaders.put(name, value.toString());
            }
        });
        int attempts = headers.get(ATTEMPTS) instanceof Number n ? n.intValue() : 0;
        Object failedAt = headers.get(FAILED_AT);
        return new DeadLetter(new Message(got.getProps().getMessageId(), queue, body, Map.copyOf(userHeaders),
                attempts, userHeaders.get(TRACEPARENT)), String.valueOf(headers.get(REASON)), attempts,
                failedAt == null ? null : Instant.parse(failedAt.toString()));
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    @Override
    public Future<Void> close() {
        return blocking(() -> {
            consuming.close(5_000);
            connection.close(5_000);
            return null;
        }).<Void>mapEmpty().eventually(() -> deduplication == null ? Future.<Void>succeededFuture()
                : deduplication.close());
    }
}

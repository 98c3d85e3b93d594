package dev.flotilla.messaging.redis;

import dev.flotilla.core.redis.LuaScript;
import dev.flotilla.core.redis.RedisClients;
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
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Messaging} on Redis Streams, for a fleet with no RabbitMQ: the same promises, kept by Redis.
 * <ul>
 * <li>A queue {@code Q} is the stream {@code flotilla:queue:Q} read by the consumer group {@code flotilla}; a
 * publish completes when Redis has the entry.</li>
 * <li>A delivery stays pending in the group until its handler succeeded, then it is acknowledged and deleted.
 * A delivery whose consumer died (pending longer than the handler timeout and a margin) is claimed by another
 * consumer and handled again.</li>
 * <li>A failed delivery moves, in one script with its acknowledgement, to the sorted set
 * {@code flotilla:queue:Q:delayed} (score: when it is due), and goes back to the stream when due; after the
 * last attempt it moves to the stream {@code flotilla:queue:Q:dead-letters} with the reason.</li>
 * </ul>
 * Redis keeps nothing across its own restart unless it persists (AOF), which the embedded Redis does not.
 */
public final class RedisStreamsMessaging implements Messaging {

    private static final Logger LOG = LoggerFactory.getLogger(RedisStreamsMessaging.class);
    private static final String GROUP = "flotilla";
    private static final LuaScript RETRY = LuaScript.load(RedisStreamsMessaging.class, "retry.lua");
    private static final LuaScript DEAD = LuaScript.load(RedisStreamsMessaging.class, "dead.lua");
    private static final LuaScript DUE = LuaScript.load(RedisStreamsMessaging.class, "due.lua");
    private static final LuaScript REPLAY = LuaScript.load(RedisStreamsMessaging.class, "replay.lua");
    private static final LuaScript PURGE = LuaScript.load(RedisStreamsMessaging.class, "purge.lua");
    /** How long a pending delivery may wait beyond the handler timeout before another consumer takes it. */
    private static final long CLAIM_MARGIN_MS = 2_000;

    private final Vertx vertx;
    private final Redis redis;
    private final Deduplication deduplication;
    private final int maxMessageBytes;
    private final String consumer = "consumer-" + UUID.randomUUID();
    private final List<StreamConsumer> consumers = new ArrayList<>();

    private RedisStreamsMessaging(Vertx vertx, String redisUrl, Deduplication deduplication, int maxMessageBytes) {
        this.vertx = vertx;
        this.redis = RedisClients.create(vertx, redisUrl);
        this.deduplication = deduplication;
        this.maxMessageBytes = maxMessageBytes;
    }

    public static Future<Messaging> connect(Vertx vertx, String redisUrl, Deduplication deduplication,
            int maxMessageBytes) {
        RedisStreamsMessaging messaging = new RedisStreamsMessaging(vertx, redisUrl, deduplication, maxMessageBytes);
        return messaging.redis.send(Request.cmd(Command.PING)).map(r -> messaging);
    }

    /** A stream entry's fields (RESP2: name, value, name, value...). */
    private static Map<String, String> fieldMap(Response fields) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            map.put(fields.get(i).toString(), fields.get(i + 1).toString());
        }
        return map;
    }

    /** The stream that holds {@code queue}. */
    public static String stream(String queue) {
        return "flotilla:queue:" + queue;
    }

    private static String delayed(String queue) {
        return stream(queue) + ":delayed";
    }

    private static String deadLetters(String queue) {
        return stream(queue) + ":dead-letters";
    }


    @Override
    public Future<String> publish(String queue, JsonObject body, Map<String, String> headers, String id) {
        String messageId = id == null ? UUID.randomUUID().toString() : id;
        String json;
        try {
            json = new String(Deliveries.encode(queue, body, maxMessageBytes), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return redis.send(append(queue, messageId, json, QueueSpans.withTrace(headers))).map(messageId);
    }

    /**
     * The command that appends a message to {@code queue}: what {@link #publish} sends, and what a
     * transactional outbox runs inside its transaction. The queue name and the size are the caller's to check.
     */
    public static Request append(String queue, String id, String bodyJson, Map<String, String> headers) {
        Request xadd = Request.cmd(Command.XADD).arg(stream(queue)).arg("*");
        entryFields(id, bodyJson, headers).forEach(xadd::arg);
        return xadd;
    }

    /** The fields of a new entry, in order, for a script that appends one itself. */
    public static List<String> entryFields(String id, String bodyJson, Map<String, String> headers) {
        return List.of("id", id, "body", bodyJson, "headers", new JsonObject(new HashMap<>(headers)).encode(),
                "attempt", "1");
    }

    @Override
    public Future<Subscription> consume(String queue, ConsumerOptions options, MessageHandler handler) {
        // From the start of the stream: messages published before the first consumer are not skipped.
        return Deliveries.checked(queue).compose(checked -> redis.send(Request.cmd(Command.XGROUP).arg("CREATE")
                .arg(stream(queue)).arg(GROUP).arg("0").arg("MKSTREAM")))
                .recover(e -> e.getMessage() != null && e.getMessage().startsWith("BUSYGROUP")
                        ? Future.succeededFuture() : Future.failedFuture(e))
                .map(v -> {
                    StreamConsumer running = new StreamConsumer(queue, options, handler);
                    synchronized (consumers) {
                        consumers.add(running);
                    }
                    running.start();
                    return running;
                });
    }

    /**
     * One queue's consumer: reads on its own connection (a blocking read would hold a pooled one), at most
     * {@code prefetch} messages at once. A connection that fails (Redis restarted) is dropped, and the next
     * read opens another.
     */
    private final class StreamConsumer implements Subscription {

        private final String queue;
        private final ConsumerOptions options;
        private final MessageHandler handler;
        private RedisConnection connection;
        private boolean connecting;
        private final Context context = vertx.getOrCreateContext();
        private int inFlight;
        private boolean reading;
        private boolean stopped;
        private long timer;

        StreamConsumer(String queue, ConsumerOptions options, MessageHandler handler) {
            this.queue = queue;
            this.options = options;
            this.handler = handler;
        }

        void start() {
            context.runOnContext(v -> {
                timer = vertx.setPeriodic(200, t -> housekeeping());
                read();
            });
        }

        /** Due retries back into the stream; deliveries of dead consumers claimed. */
        private void housekeeping() {
            DUE.run(redis, List.of(stream(queue), delayed(queue)), System.currentTimeMillis(), 100)
                    .onFailure(e -> LOG.warn("messaging: queue '{}': moving due retries failed: {}", queue,
                            e.getMessage()));
            long idle = options.handlerTimeout().toMillis() + CLAIM_MARGIN_MS;
            redis.send(Request.cmd(Command.XAUTOCLAIM).arg(stream(queue)).arg(GROUP).arg(consumer).arg(idle)
                    .arg("0-0").arg("COUNT").arg(options.prefetch())).onSuccess(claimed -> {
                        if (claimed != null && claimed.size() > 1) {
                            for (Response entry : claimed.get(1)) {
                                if (entry != null && entry.get(1) != null) {
                                    deliver(entry.get(0).toString(), entry.get(1));
                                }
                            }
                        }
                    });
            read();
        }

        private void read() {
            if (stopped || reading || connecting || inFlight >= options.prefetch()) {
                return;
            }
            if (connection == null) {
                connecting = true;
                redis.connect().onComplete(ar -> {
                    connecting = false;
                    if (ar.failed()) {
                        return; // the housekeeping timer tries again
                    }
                    if (stopped) {
                        ar.result().close();
                        return;
                    }
                    RedisConnection opened = ar.result();
                    opened.exceptionHandler(e -> dropConnection(opened, e.getMessage()));
                    opened.endHandler(v -> dropConnection(opened, "closed"));
                    connection = opened;
                    read();
                });
                return;
            }
            reading = true;
            RedisConnection reader = connection;
            reader.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(GROUP).arg(consumer)
                    .arg("COUNT").arg(options.prefetch() - inFlight).arg("BLOCK").arg(1000)
                    .arg("STREAMS").arg(stream(queue)).arg(">")).onComplete(ar -> {
                        reading = false;
                        if (ar.failed()) {
                            if (!stopped) {
                                LOG.warn("messaging: queue '{}': reading failed ({}); trying again", queue,
                                        ar.cause().getMessage());
                                dropConnection(reader, ar.cause().getMessage());
                            }
                            return; // the housekeeping timer reads again
                        }
                        Response streams = ar.result();
                        if (streams != null) {
                            for (Response stream : streams) {
                                for (Response entry : stream.get(1)) {
                                    if (stopped) { // read before the cancel, answered after it
                                        giveBack(entry.get(0).toString(), entry.get(1));
                                    } else {
                                        deliver(entry.get(0).toString(), entry.get(1));
                                    }
                                }
                            }
                        }
                        read();
                    });
        }

        /** Forgets a failed connection (on the context), so that the next read opens a new one. */
        private void dropConnection(RedisConnection failed, String why) {
            context.runOnContext(v -> {
                if (connection == failed) {
                    connection = null;
                    failed.close();
                    if (!stopped) {
                        LOG.info("messaging: queue '{}': its connection to Redis failed ({}); opening another", queue,
                                why);
                    }
                }
            });
        }

        private void deliver(String entryId, Response fields) {
            Map<String, String> f = fieldMap(fields);
            int attempt = f.get("attempt") == null ? 1 : Integer.parseInt(f.get("attempt"));
            String id = f.get("id");
            JsonObject body;
            Map<String, String> headers = new HashMap<>();
            try {
                body = new JsonObject(f.get("body"));
                new JsonObject(f.getOrDefault("headers", "{}")).forEach(e -> headers.put(e.getKey(),
                        String.valueOf(e.getValue())));
            } catch (RuntimeException e) {
                dead(entryId, f, attempt - 1, "the body is not a JSON object: " + e.getMessage());
                return;
            }
            if (id == null || id.isBlank()) {
                dead(entryId, f, attempt - 1, "the message has no id");
                return;
            }
            inFlight++;
            Message message = new Message(id, queue, body, Map.copyOf(headers), attempt, headers.get("traceparent"));
            Deliveries.handle(message, handler, options, deduplication, "redis").transform(ar -> {
                if (ar.succeeded()) {
                    return redis.send(Request.cmd(Command.XACK).arg(stream(queue)).arg(GROUP).arg(entryId))
                            .compose(r -> redis.send(Request.cmd(Command.XDEL).arg(stream(queue)).arg(entryId)))
                            .mapEmpty();
                }
                String reason = Deliveries.reason(ar.cause());
                int next = Deliveries.nextAttempt(attempt, ar.cause());
                if (next > attempt && attempt >= options.maxAttempts()) {
                    return dead(entryId, f, attempt, reason);
                }
                return delay(entryId, f, next, reason,
                        System.currentTimeMillis() + options.retryDelay(attempt).toMillis());
            }).onComplete(ar -> context.runOnContext(v -> {
                if (ar.failed()) {
                    LOG.warn("messaging: queue '{}': the outcome of {} could not be recorded ({}); it will be "
                            + "delivered again", queue, id, ar.cause().getMessage());
                }
                inFlight--;
                read();
            }));
        }

        /** Moves a delivery to the delayed set, acknowledged, to come back at {@code due} as {@code attempt}. */
        private Future<Void> delay(String entryId, Map<String, String> fields, int attempt, String reason, long due) {
            JsonObject retry = new JsonObject().put("id", fields.get("id")).put("body", fields.get("body"))
                    .put("headers", fields.getOrDefault("headers", "{}")).put("attempt", attempt)
                    .put("reason", reason).put("entry", entryId);
            return RETRY.run(redis, List.of(stream(queue), delayed(queue)), GROUP, entryId, due, retry.encode())
                    .mapEmpty();
        }

        /**
         * Hands back, at once and with its attempt unchanged, a delivery this cancelled consumer read: it is
         * not handled here, and it would otherwise stay pending under this process's consumer name until a
         * claim takes it over.
         */
        private void giveBack(String entryId, Response fields) {
            Map<String, String> f = fieldMap(fields);
            int attempt = f.get("attempt") == null ? 1 : Integer.parseInt(f.get("attempt"));
            delay(entryId, f, attempt, "its consumer was cancelled", System.currentTimeMillis())
                    .onFailure(e -> LOG.warn("messaging: queue '{}': a delivery read while cancelling could not be "
                            + "handed back ({}); a claim will take it", queue, e.getMessage()));
        }

        private Future<Void> dead(String entryId, Map<String, String> fields, int attempts, String reason) {
            LOG.warn("messaging: a message of queue '{}' goes to its dead letters after {} attempts: {}", queue,
                    attempts, reason);
            List<Object> args = new ArrayList<>(List.of(GROUP, entryId));
            fields.forEach((name, value) -> {
                if (!name.equals("attempt")) {
                    args.add(name);
                    args.add(value);
                }
            });
            args.addAll(List.of("reason", reason, "attempts", attempts, "failed-at", Instant.now().toString()));
            return DEAD.run(redis, List.of(stream(queue), deadLetters(queue)), args.toArray()).mapEmpty();
        }

        @Override
        public Future<Void> cancel() {
            synchronized (consumers) {
                consumers.remove(this);
            }
            Promise<Void> done = Promise.promise();
            context.runOnContext(v -> {
                if (stopped) { // cancelled already: its connection is closed, and closing it again never completes
                    done.complete();
                    return;
                }
                stopped = true;
                vertx.cancelTimer(timer);
                if (connection == null) {
                    done.complete();
                } else {
                    connection.close().onComplete(ar -> done.complete());
                }
            });
            return done.future();
        }
    }

    @Override
    public Future<List<DeadLetter>> deadLetters(String queue, int limit) {
        return Deliveries.checked(queue).compose(checked -> redis.send(Request.cmd(Command.XRANGE)
                .arg(deadLetters(queue)).arg("-").arg("+").arg("COUNT").arg(limit)).map(entries -> {
                    List<DeadLetter> letters = new ArrayList<>();
                    for (Response entry : entries) {
                        Map<String, String> f = fieldMap(entry.get(1));
                        JsonObject body;
                        try {
                            body = new JsonObject(f.getOrDefault("body", "{}"));
                        } catch (RuntimeException e) {
                            body = new JsonObject().put("undecodable", f.get("body"));
                        }
                        Map<String, String> headers = new HashMap<>();
                        try {
                            new JsonObject(f.getOrDefault("headers", "{}")).forEach(e -> headers.put(e.getKey(),
                                    String.valueOf(e.getValue())));
                        } catch (RuntimeException e) {
                            // the headers were part of what was wrong with it
                        }
                        int attempts = Integer.parseInt(f.getOrDefault("attempts", "0"));
                        letters.add(new DeadLetter(new Message(f.get("id"), queue, body, Map.copyOf(headers), attempts,
                                headers.get("traceparent")), f.get("reason"), attempts,
                                f.get("failed-at") == null ? null : Instant.parse(f.get("failed-at"))));
                    }
                    return letters;
                }));
    }

    @Override
    public Future<Integer> replayDeadLetters(String queue, int limit) {
        return Deliveries.checked(queue).compose(checked -> REPLAY.run(redis,
                List.of(stream(queue), deadLetters(queue)), limit).map(Response::toInteger));
    }

    @Override
    public Future<Integer> purgeDeadLetters(String queue) {
        return Deliveries.checked(queue).compose(checked -> PURGE.run(redis, List.of(deadLetters(queue)))
                .map(Response::toInteger));
    }

    @Override
    public Future<Void> close() {
        List<StreamConsumer> running;
        synchronized (consumers) {
            running = new ArrayList<>(consumers); // each cancel removes itself
        }
        List<Future<Void>> cancelled = new ArrayList<>();
        running.forEach(c -> cancelled.add(c.cancel()));
        return Future.join(cancelled).compose(v -> redis.close())
                .eventually(() -> deduplication == null ? Future.<Void>succeededFuture() : deduplication.close());
    }
}

package dev.flotilla.messaging.outbox;

import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.CrashPoints;
import dev.flotilla.messaging.Deliveries;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Subscription;
import dev.flotilla.messaging.redis.RedisStreamsMessaging;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A transactional outbox in Redis: a service's business write and the messages it must send commit together
 * (one {@code MULTI}/{@code EXEC}, or one script), and a relay publishes them afterwards with confirms.
 * <p>
 * The outbox is itself a queue on Redis Streams, {@code outbox.<name>}, whose entries carry their destination
 * in a header; the relay is a consumer of that queue that publishes each entry to the real transport under the
 * entry's own id. So the relay inherits what the Streams queue already does: an entry is deleted only after
 * the broker confirmed its publish; a relay that dies leaves its entries pending, and another relay (or the
 * same one, restarted) claims them; a publish that fails is retried with backoff. A crash between the
 * confirm and the delete publishes the entry again under the same id, which the consumer's deduplication
 * drops: at least once on the wire, once in effect.
 * <p>
 * Redis runs every command of a {@code MULTI} even when one of them fails at run time (a wrong type); it has
 * no rollback. {@link #commit} reports such a failure by naming the command, but what the others wrote stays.
 */
public final class RedisOutbox {

    /** The header that carries an entry's destination while it waits in the outbox. */
    static final String DESTINATION = "x-flotilla-destination";
    /** How the relay retries a publish the broker refused or never confirmed: for about 50 minutes. */
    public static final ConsumerOptions RELAY_OPTIONS = new ConsumerOptions(64, 100, Duration.ofSeconds(1),
            Duration.ofSeconds(30), Duration.ofSeconds(10));

    private final Vertx vertx;
    private final String redisUrl;
    private final Redis redis;
    private final String name;
    private final int maxMessageBytes;

    private RedisOutbox(Vertx vertx, String redisUrl, String name, int maxMessageBytes) {
        Deliveries.checkQueue("outbox." + name);
        this.vertx = vertx;
        this.redisUrl = redisUrl;
        this.redis = RedisClients.create(vertx, redisUrl);
        this.name = name;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The outbox {@code name} (a queue name's characters) in the Redis at {@code redisUrl}. */
    public static RedisOutbox create(Vertx vertx, String redisUrl, String name, int maxMessageBytes) {
        return new RedisOutbox(vertx, redisUrl, name, maxMessageBytes);
    }

    /** The Streams queue that holds the entries. */
    public String queue() {
        return "outbox." + name;
    }

    /**
     * The command that puts {@code message} in this outbox, to run in the caller's own transaction.
     *
     * @throws IllegalArgumentException naming what is wrong with the message (its queue, its size)
     */
    public Request entry(OutboxMessage message) {
        return RedisStreamsMessaging.append(queue(), message.id(), check(message), withDestination(message));
    }

    /** The fields of the entry for {@code message}, for a Lua script that appends it to {@link #stream()}. */
    public List<String> entryFields(OutboxMessage message) {
        return RedisStreamsMessaging.entryFields(message.id(), check(message), withDestination(message));
    }

    /** The stream key a script appends entries to. */
    public String stream() {
        return RedisStreamsMessaging.stream(queue());
    }

    private String check(OutboxMessage message) {
        return new String(Deliveries.encode(message.queue(), message.body(), maxMessageBytes), StandardCharsets.UTF_8);
    }

    private static Map<String, String> withDestination(OutboxMessage message) {
        Map<String, String> headers = new HashMap<>(message.headers());
        headers.put(DESTINATION, message.queue());
        return headers;
    }

    /**
     * Runs {@code writes} and puts {@code messages} in the outbox in one {@code MULTI}/{@code EXEC}: all of it
     * or (when Redis refuses a command before running any) none of it.
     */
    public Future<Void> commit(List<Request> writes, List<OutboxMessage> messages) {
        List<Request> batch = new ArrayList<>();
        batch.add(Request.cmd(Command.MULTI));
        batch.addAll(writes);
        try {
            messages.forEach(message -> batch.add(entry(message)));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        batch.add(Request.cmd(Command.EXEC));
        return redis.batch(batch).compose(responses -> {
            Response exec = responses.get(responses.size() - 1);
            if (exec == null) {
                return Future.failedFuture(new IllegalStateException("the outbox transaction was aborted"));
            }
            for (int i = 0; i < writes.size() && i < exec.size(); i++) {
                Response result = exec.get(i);
                if (result != null && result.type() == ResponseType.ERROR) {
                    return Future.failedFuture(new IllegalStateException("write " + (i + 1) + " of the outbox "
                            + "transaction failed (the others were applied; Redis has no rollback): " + result));
                }
            }
            return Future.<Void>succeededFuture();
        });
    }

    /**
     * Starts publishing the outbox's entries to {@code target} until the subscription is cancelled. Several
     * relays of one outbox (one per instance) share its entries.
     */
    public Future<Subscription> relay(Messaging target, ConsumerOptions options) {
        return RedisStreamsMessaging.connect(vertx, redisUrl, null, Integer.MAX_VALUE).compose(streams ->
                streams.consume(queue(), options, message -> {
                    Map<String, String> headers = new HashMap<>(message.headers());
                    String destination = headers.remove(DESTINATION);
                    if (destination == null) {
                        return Future.failedFuture("an outbox entry without its destination");
                    }
                    CrashPoints.reached("outbox.before-publish", destination);
                    return target.publish(destination, message.body(), headers, message.id()).<Void>map(id -> {
                        CrashPoints.reached("outbox.before-mark", destination);
                        return null;
                    });
                }).<Subscription>map(subscription -> () -> subscription.cancel().eventually(streams::close)));
    }

    public Future<Void> close() {
        return redis.close();
    }
}

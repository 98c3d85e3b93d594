package dev.flotilla.messaging.saga;

import dev.flotilla.messaging.ConsumerOptions;
import dev.flotilla.messaging.CrashPoints;
import dev.flotilla.messaging.Message;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.Subscription;
import dev.flotilla.messaging.Transports;
import dev.flotilla.messaging.outbox.OutboxMessage;
import dev.flotilla.messaging.outbox.RedisOutbox;
import dev.flotilla.messaging.saga.SagaState.Reply;
import dev.flotilla.messaging.saga.SagaState.Transition;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator of one saga definition. {@link #begin} stores a new saga and its first command; each
 * participant's reply (on the queue {@code saga.<name>.replies}) is turned by {@link SagaState#onReply} into
 * the next state and command, stored by one compare-and-set together with the command's outbox entry, then
 * acknowledged. A crash anywhere leaves either the reply unacknowledged (it comes again, and is found already
 * taken) or the command in the outbox (the relay sends it): nothing is lost, and nothing done twice, as long
 * as participants apply each command once per {@link SagaCommand#key()}.
 * <p>
 * Any number of processes may run the same definition: the compare-and-set orders their decisions.
 */
public final class Sagas {

    private static final Logger LOG = LoggerFactory.getLogger(Sagas.class);
    private static final int CONFLICT_RETRIES = 10;

    private final SagaDefinition definition;
    private final Messaging messaging;
    private final RedisOutbox outbox;
    private final SagaStore store;
    private final List<Subscription> running = new CopyOnWriteArrayList<>();

    private Sagas(Vertx vertx, String redisUrl, Messaging messaging, SagaDefinition definition) {
        this.definition = definition;
        this.messaging = messaging;
        this.outbox = RedisOutbox.create(vertx, redisUrl, "saga." + definition.name(),
                Transports.DEFAULT_MAX_MESSAGE_BYTES);
        this.store = SagaStore.create(vertx, redisUrl, definition.name(), outbox);
    }

    /** The orchestrator of {@code definition}, keeping its sagas in the Redis at {@code redisUrl}. */
    public static Sagas create(Vertx vertx, String redisUrl, Messaging messaging, SagaDefinition definition) {
        return new Sagas(vertx, redisUrl, messaging, definition);
    }

    /**
     * Starts taking replies (with {@code replies}' options) and sending queued commands (with the relay's
     * own, but {@code replies}' handler timeout, which also bounds how long a dead relay's commands wait).
     */
    public Future<Void> run(ConsumerOptions replies) {
        return outbox.relay(messaging, RedisOutbox.RELAY_OPTIONS.withHandlerTimeout(replies.handlerTimeout()))
                .compose(relay -> {
                    running.add(relay);
                    return messaging.consume(definition.replies(), replies, this::onReply);
                })
                .map(consumer -> {
                    running.add(consumer);
                    return null;
                });
    }

    /** Begins a saga with {@code data}; completes with its id once it is stored with its first command. */
    public Future<String> begin(JsonObject data, String traceparent) {
        String id = UUID.randomUUID().toString();
        Transition first = SagaState.begin(definition, id, data, traceparent, Instant.now());
        return store.transition(first.next(), first.event(), command(first.next(), first.command()))
                .compose(stored -> stored ? Future.succeededFuture(id)
                        : Future.failedFuture(new IllegalStateException("saga " + id + " exists already")));
    }

    public Future<SagaState> get(String id) {
        return store.get(id);
    }

    public Future<JsonArray> history(String id) {
        return store.history(id);
    }

    public Future<List<SagaState>> recent(int limit) {
        return store.recent(limit);
    }

    private Future<Void> onReply(Message message) {
        JsonObject body = message.body();
        String id = body.getString("id");
        Integer step = body.getInteger("step");
        if (id == null || step == null || !definition.name().equals(body.getString("saga"))) {
            return Future.failedFuture(new IllegalArgumentException("not a reply of saga '" + definition.name()
                    + "': " + body.encode()));
        }
        Reply reply = new Reply(step, body.getBoolean("compensation", false), body.getBoolean("ok", false),
                body.getJsonObject("result"), body.getString("reason"));
        return decide(id, reply, CONFLICT_RETRIES);
    }

    private Future<Void> decide(String id, Reply reply, int retries) {
        return store.get(id).compose(state -> {
            if (state == null) {
                LOG.warn("saga {} {}: a reply for a saga that does not exist (or expired); dropped",
                        definition.name(), id);
                return Future.succeededFuture();
            }
            Optional<Transition> transition = state.onReply(definition, reply, Instant.now());
            if (transition.isEmpty()) {
                return Future.succeededFuture(); // a repeat, or an answer the saga has moved past
            }
            Transition t = transition.get();
            return store.transition(t.next(), t.event(), command(t.next(), t.command())).compose(stored -> {
                if (!stored) {
                    return retries > 0 ? decide(id, reply, retries - 1) : Future.failedFuture(
                            "saga " + id + " changed " + CONFLICT_RETRIES + " times while taking a reply");
                }
                LOG.info("saga {} {}: {}", definition.name(), id, t.event());
                CrashPoints.reached("saga.after-commit", state.steps().get(reply.step()).name());
                return Future.<Void>succeededFuture();
            });
        });
    }

    /** The message for {@code command}, or null: its id is its idempotency key, the same on every send. */
    private OutboxMessage command(SagaState state, SagaState.Command command) {
        if (command == null) {
            return null;
        }
        SagaDefinition.Step step = definition.steps().get(command.step());
        String action = command.compensation() ? step.compensation() : step.action();
        String key = SagaCommand.key(state.id(), step.name(), action);
        JsonObject body = new JsonObject().put("saga", definition.name()).put("id", state.id())
                .put("step", command.step()).put("name", step.name()).put("action", action)
                .put("compensation", command.compensation()).put("key", key).put("data", state.data())
                .put("replyTo", definition.replies());
        Map<String, String> headers = new HashMap<>();
        if (state.traceparent() != null) {
            headers.put("traceparent", state.traceparent());
        }
        return new OutboxMessage(step.queue(), body, headers, key);
    }

    public Future<Void> close() {
        List<Future<Void>> cancelled = new ArrayList<>();
        running.forEach(s -> cancelled.add(s.cancel()));
        return Future.join(cancelled).eventually(() -> Future.join(store.close(), outbox.close())).mapEmpty();
    }
}

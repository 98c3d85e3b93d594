package dev.flotilla.messaging.saga;

import dev.flotilla.core.redis.LuaScript;
import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.messaging.outbox.OutboxMessage;
import dev.flotilla.messaging.outbox.RedisOutbox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The sagas of one definition in Redis, stored as the registry stores services: a state with a revision
 * (changed only by a compare-and-set) and a log beside it (the history). A change and the command it sends
 * are written by one script into the state and the saga's outbox, so a crash can lose neither without the
 * other. Keys: {@code flotilla:saga:<name>:<id>} (hash: state, revision), {@code ...:<id>:history} (list),
 * {@code flotilla:saga:<name>:index} (sorted set of ids by last change).
 */
public final class SagaStore {

    private static final LuaScript TRANSITION = LuaScript.load(SagaStore.class, "transition.lua");
    /** How long an ended saga stays readable. */
    static final Duration KEEP_ENDED = Duration.ofDays(7);
    /** How many sagas the index lists, most recent first. */
    static final int INDEX_SIZE = 10_000;

    private final Redis redis;
    private final String name;
    private final RedisOutbox outbox;

    private SagaStore(Redis redis, String name, RedisOutbox outbox) {
        this.redis = redis;
        this.name = name;
        this.outbox = outbox;
    }

    static SagaStore create(Vertx vertx, String redisUrl, String name, RedisOutbox outbox) {
        return new SagaStore(RedisClients.create(vertx, redisUrl), name, outbox);
    }

    /** For reading only (the CLI): no outbox. */
    public static SagaStore reader(Vertx vertx, String redisUrl, String name) {
        return new SagaStore(RedisClients.create(vertx, redisUrl), name, null);
    }

    private String key(String id) {
        return "flotilla:saga:" + name + ":" + id;
    }

    private String index() {
        return "flotilla:saga:" + name + ":index";
    }

    /**
     * Stores {@code next} if the saga is still at {@code next.revision()}, with a history line and the
     * message to send; completes with false when another change came first.
     */
    Future<Boolean> transition(SagaState next, String event, OutboxMessage command) {
        List<Object> args = new ArrayList<>();
        args.add(next.revision());
        JsonObject state = next.toJson();
        state.remove("revision");
        args.add(state.encode());
        args.add(new JsonObject().put("at", next.updated().toString()).put("event", event).encode());
        args.add(next.updated().toEpochMilli());
        args.add(next.id());
        args.add(next.ended() ? KEEP_ENDED.toSeconds() : 0);
        args.add(INDEX_SIZE);
        if (command != null) {
            args.addAll(outbox.entryFields(command));
        }
        return TRANSITION.run(redis, List.of(key(next.id()), key(next.id()) + ":history", index(), outbox.stream()),
                args.toArray()).map(r -> r.toLong() > 0);
    }

    /** The saga {@code id}, or null when there is none (or it ended more than {@link #KEEP_ENDED} ago). */
    public Future<SagaState> get(String id) {
        return redis.send(Request.cmd(Command.HMGET).arg(key(id)).arg("state").arg("revision")).map(r -> {
            if (r.get(0) == null) {
                return null;
            }
            return SagaState.fromJson(new JsonObject(r.get(0).toString()).put("revision", r.get(1).toLong()));
        });
    }

    /** The saga's history, oldest first: one {@code {"at", "event"}} per change. */
    public Future<JsonArray> history(String id) {
        return redis.send(Request.cmd(Command.LRANGE).arg(key(id) + ":history").arg(0).arg(-1)).map(lines -> {
            JsonArray history = new JsonArray();
            for (Response line : lines) {
                history.add(new JsonObject(line.toString()));
            }
            return history;
        });
    }

    /** Up to {@code limit} sagas, most recently changed first. */
    public Future<List<SagaState>> recent(int limit) {
        return redis.send(Request.cmd(Command.ZREVRANGE).arg(index()).arg(0).arg(limit - 1)).compose(ids -> {
            List<Future<SagaState>> states = new ArrayList<>();
            for (Response id : ids) {
                states.add(get(id.toString()));
            }
            return Future.all(states).map(all -> {
                List<SagaState> found = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    if (all.resultAt(i) != null) {
                        found.add(all.resultAt(i));
                    }
                }
                return found;
            });
        });
    }

    public Future<Void> close() {
        return redis.close();
    }
}

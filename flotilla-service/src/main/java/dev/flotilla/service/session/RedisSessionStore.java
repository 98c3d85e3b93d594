package dev.flotilla.service.session;

import dev.flotilla.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sessions in Redis: one hash per session ({@code flotilla:session:<id>}), one field per attribute, its
 * expiry the sooner of the idle and the absolute limit. Each write is one Lua script (write.lua) that
 * checks and changes only the attributes it names.
 *
 * <p>Why not Vert.x's {@code RedisSessionStore}: it stores the whole session as one value and writes it back
 * whole after a version check made in a separate step, so of two concurrent requests one loses its change,
 * and a request still in flight after a logout writes the session back into existence.
 */
final class RedisSessionStore implements SessionStore {

    static final String PREFIX = "flotilla:session:";
    private static final LuaScript LOAD = LuaScript.load(RedisSessionStore.class, "load.lua");
    private static final LuaScript WRITE = LuaScript.load(RedisSessionStore.class, "write.lua");
    private static final LuaScript RENAME = LuaScript.load(RedisSessionStore.class, "rename.lua");

    private final Redis redis;
    private final SessionOptions options;

    RedisSessionStore(Redis redis, SessionOptions options) {
        this.redis = redis;
        this.options = options;
    }

    @Override
    public Future<Map<String, String>> load(String id, long nowMs) {
        return LOAD.run(redis, List.of(PREFIX + id), nowMs, options.idleTimeout().toMillis(),
                options.absoluteTimeout().toMillis()).map(reply -> {
                    if (reply == null) {
                        return null;
                    }
                    Map<String, String> attributes = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < reply.size(); i += 2) {
                        String name = reply.get(i).toString();
                        if (!name.startsWith("@")) {
                            attributes.put(name, reply.get(i + 1).toString());
                        }
                    }
                    return attributes;
                });
    }

    @Override
    public Future<Written> write(String id, boolean create, List<Change> changes, long nowMs) {
        List<Object> args = new ArrayList<>(List.of(create ? 1 : 0, nowMs, options.idleTimeout().toMillis(),
                options.absoluteTimeout().toMillis(), options.maxAttributes(), options.maxBytes()));
        for (Change change : changes) {
            args.add(switch (change.op()) {
                case SET -> "s";
                case DELETE -> "d";
                case INCREMENT -> "i";
            });
            args.add(change.name());
            args.add(change.json() == null ? "" : change.json());
        }
        return WRITE.run(redis, List.of(PREFIX + id), args.toArray()).compose(reply -> {
            String outcome = reply.get(0).toString();
            return switch (outcome) {
                case "ok" -> {
                    List<Long> increments = new ArrayList<>();
                    for (int i = 1; i < reply.size(); i++) {
                        increments.add(reply.get(i).toLong());
                    }
                    yield Future.succeededFuture(new Written(increments));
                }
                case "gone" -> Future.failedFuture(new SessionEnded(id));
                case "full" -> Future.failedFuture(new SessionFull("the session would hold " + reply.get(2)
                        + " " + reply.get(1) + "; the limit is " + reply.get(3)));
                case "type" -> Future.failedFuture(new IllegalArgumentException("session attribute '"
                        + reply.get(1) + "' is not an integer; it cannot be incremented"));
                default -> Future.failedFuture(new IllegalStateException("write.lua answered " + reply));
            };
        });
    }

    @Override
    public Future<Void> rename(String id, String newId) {
        return RENAME.run(redis, List.of(PREFIX + id, PREFIX + newId)).compose(reply -> "ok".equals(
                reply.toString()) ? Future.succeededFuture() : Future.failedFuture(new SessionEnded(id)));
    }

    @Override
    public Future<Void> delete(String id) {
        return redis.send(Request.cmd(Command.DEL).arg(PREFIX + id)).mapEmpty();
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture(); // the Redis client is the service's, closed with it
    }
}

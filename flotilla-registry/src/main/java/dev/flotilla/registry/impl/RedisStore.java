package dev.flotilla.registry.impl;

import dev.flotilla.core.redis.LuaScript;
import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.RegistryEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store shared by several registries through Redis.
 *
 * <p>Layout under a key prefix: {@code instances} (hash id -> JSON), {@code modrev} (hash id -> revision),
 * {@code leases} (sorted set by expiry), {@code revision} (counter), {@code events} (a stream, trimmed to
 * about {@code maxEvents}), {@code members} (live registries) and {@code epoch} (made once per life of
 * the keyspace). Every write is one Lua script, so the
 * state, the revision and the event change together. Each registry reads the stream on its own
 * connection with a blocking XREAD; a gap in revisions (events trimmed while it was away, or Redis
 * flushed) makes it start over from a snapshot. The prefix carries a hash tag so that all keys sit in one
 * Redis Cluster slot, as the scripts need.
 */
final class RedisStore implements RegistryStore {

    private static final Logger log = LoggerFactory.getLogger(RedisStore.class);
    private static final LuaScript COMMIT = LuaScript.load(RedisStore.class, "commit.lua");
    private static final LuaScript EXPIRE = LuaScript.load(RedisStore.class, "expire.lua");
    private static final LuaScript RENEW = LuaScript.load(RedisStore.class, "renew.lua");
    private static final LuaScript SNAPSHOT = LuaScript.load(RedisStore.class, "snapshot.lua");
    private static final LuaScript MEMBERS = LuaScript.load(RedisStore.class, "members.lua");
    private static final long READ_BLOCK_MS = 1_000;
    private static final long RETRY_MS = 250;

    private final Vertx vertx;
    private final Redis redis;
    private final long maxEvents;
    private final String instancesKey;
    private final String modrevKey;
    private final String leasesKey;
    private final String revisionKey;
    private final String eventsKey;
    private final String membersKey;
    private final String epochKey;
    private Listener listener;
    private RedisConnection reader;
    private String lastStreamId;
    private long lastRevision;
    private boolean readerUp;
    private boolean closed;

    RedisStore(Vertx vertx, String url, String prefix, long maxEvents) {
        this.vertx = vertx;
        this.maxEvents = maxEvents;
        this.redis = RedisClients.create(vertx, url);
        String base = prefix.contains("{") ? prefix : "{" + prefix + "}";
        this.instancesKey = base + ":instances";
        this.modrevKey = base + ":modrev";
        this.leasesKey = base + ":leases";
        this.revisionKey = base + ":revision";
        this.eventsKey = base + ":events";
        this.membersKey = base + ":members";
        this.epochKey = base + ":epoch";
    }

    @Override
    public Future<Snapshot> open(Listener listener) {
        this.listener = listener;
        return snapshot().onSuccess(snapshot -> {
            readerUp = true;
            readEvents();
        });
    }

    private Future<Snapshot> snapshot() {
        String candidateEpoch = UUID.randomUUID().toString().substring(0, 8);
        return SNAPSHOT.run(redis, List.of(instancesKey, modrevKey, revisionKey, eventsKey, epochKey), candidateEpoch)
                .map(response -> {
                long revision = response.get(0).toLong();
                Map<String, Instance> instances = new HashMap<>();
                Response pairs = response.get(2);
                for (int i = 0; i + 1 < pairs.size(); i += 2) {
                    Instance instance = Instance.fromJson(new JsonObject(pairs.get(i + 1).toString()));
                        instances.put(pairs.get(i).toString(), instance);
                }
                Map<String, Stored> stored = new HashMap<>();
                Response modrevs = response.get(3);
                for (int i = 0; i + 1 < modrevs.size(); i += 2) {
                    Instance instance = instances.get(modrevs.get(i).toString());
                    if (instance != null) {
                        stored.put(instance.id(), new Stored(instance, modrevs.get(i + 1).toLong()));
                    }
                }
                lastStreamId = response.get(1).toString();
                lastRevision = revision;
                return new Snapshot(response.get(4).toString(), revision, stored);
                });
    }

    /** The event loop of this registry: one blocking XREAD at a time on a dedicated connection. */
    private void readEvents() {
        if (closed) {
            return;
        }
        Future<RedisConnection> connection = reader != null ? Future.succeededFuture(reader) : redis.connect()
                .onSuccess(c -> reader = c);
        connection.compose(c -> c.send(Request.cmd(Command.XREAD).arg("COUNT").arg(1000).arg("BLOCK")
                        .arg(READ_BLOCK_MS).arg("STREAMS").arg(eventsKey).arg(lastStreamId)))
                .compose(this::deliver)
                .onSuccess(v -> {
                    readerUp = true;
                    readEvents();
                })
                .onFailure(failure -> {
                    if (closed) {
                        return;
                    }
                    if (readerUp) {
                        log.warn("Lost the registry event stream in Redis ({}); reconnecting", failure.getMessage());
                    }
                    readerUp = false;
                    if (reader != null) {
                        reader.close();
                        reader = null;
                    }
                    vertx.setTimer(RETRY_MS, id -> readEvents());
                });
    }

    private Future<Void> deliver(Response response) {
        if (response == null) {
            return Future.succeededFuture(); // BLOCK timed out: nothing new
        }
        Response entries = response.get(0).get(1);
        for (Response entry : entries) {
            Response fields = entry.get(1);
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                values.put(fields.get(i).toString(), fields.get(i + 1).toString());
            }
            long revision = Long.parseLong(values.get("r"));
            if (revision != lastRevision + 1) {
                // Trimmed away while we were gone, or Redis was flushed: only a snapshot is safe.
                return snapshot().map(snapshot -> {
                    listener.onReset(snapshot);
                    return null;
                });
            }
            lastStreamId = entry.get(0).toString();
            lastRevision = revision;
            listener.onEvent(new RegistryEvent(RegistryEvent.Type.fromWireName(values.get("t")), revision,
                    Instance.fromJson(new JsonObject(values.get("i")))));
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Commit> commit(String id, long expectedModRevision, Instance updated, RegistryEvent.Type type,
                                 long leaseExpiresAt) {
        String json = updated == null ? "" : updated.toJson().encode();
        return COMMIT.run(redis, keys(), id, expectedModRevision, json, type.wireName(), leaseExpiresAt, maxEvents)
                .map(r -> new Commit(r.get(0).toInteger() == 1, r.get(1).toLong()));
    }

    @Override
    public Future<Boolean> renew(String id, long leaseExpiresAt) {
        return RENEW.run(redis, List.of(instancesKey, leasesKey), id, leaseExpiresAt).map(r -> r.toInteger() == 1);
    }

    @Override
    public Future<Long> leaseExpiresAt(String id) {
        return redis.send(Request.cmd(Command.ZSCORE).arg(leasesKey).arg(id))
                .map(r -> r == null ? null : (long) Double.parseDouble(r.toString()));
    }

    @Override
    public Future<List<String>> dueLeases(long now, int max) {
        return redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(leasesKey).arg("-inf").arg(now)
                .arg("LIMIT").arg(0).arg(max)).map(RedisStore::strings);
    }

    @Override
    public Future<Boolean> expire(String id, long now) {
        return EXPIRE.run(redis, keys(), id, now, maxEvents).map(r -> r.toInteger() == 1);
    }

    @Override
    public Future<List<String>> members(String self, long now, long ttlMs) {
        return MEMBERS.run(redis, List.of(membersKey), self, now, now + ttlMs).map(RedisStore::strings);
    }

    @Override
    public boolean healthy() {
        return readerUp;
    }

    @Override
    public Future<Void> close() {
        closed = true;
        if (reader != null) {
            reader.close();
        }
        return redis.close();
    }

    private List<String> keys() {
        return List.of(instancesKey, modrevKey, leasesKey, revisionKey, eventsKey);
    }

    private static List<String> strings(Response response) {
        List<String> result = new ArrayList<>(response.size());
        response.forEach(r -> result.add(r.toString()));
        return result;
    }
}

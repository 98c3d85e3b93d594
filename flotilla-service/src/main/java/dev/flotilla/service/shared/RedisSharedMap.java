package dev.flotilla.service.shared;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.json.JsonValues;
import dev.flotilla.core.redis.LuaScript;
import dev.flotilla.core.redis.RedisClients;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SharedMap} in Redis: a hash of {@code "<version>:<json>"} per key, a revision counter, an epoch,
 * and a pub/sub channel, under {@code flotilla:shared:<name>:}. Writes are one Lua script each
 * (write.lua). Each process keeps a near cache fed by its own subscription, on one Vert.x context, and
 * follows the registry's watch protocol: revisions in order are applied, older ones ignored, a gap or a
 * new epoch loads a snapshot (snapshot.lua) and applies the messages heard meanwhile on top of it.
 */
public final class RedisSharedMap implements SharedMap {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSharedMap.class);
    private static final LuaScript WRITE = LuaScript.load(RedisSharedMap.class, "write.lua");
    private static final LuaScript SNAPSHOT = LuaScript.load(RedisSharedMap.class, "snapshot.lua");
    /** How often the revision in Redis is compared with the last one heard: bounds how long a lost message hides. */
    static final long POLL_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 2_000;

    private final String name;
    private final Vertx vertx;
    private final Context context;
    private final Redis redis;
    private final Redis subscriber;
    private final List<String> keys;
    private final String channel;
    private final Map<String, Versioned> cache = new ConcurrentHashMap<>();
    private final List<Consumer<SharedChange>> listeners = new CopyOnWriteArrayList<>();

    // Written on the context's thread only (epoch is also read by writers, hence volatile).
    private RedisConnection subscription;
    private volatile String epoch;
    private long applied = -1;
    private boolean resyncing;
    private final TreeMap<Long, Message> heldBack = new TreeMap<>();
    private long suspectRevision = -1;
    private long backoffMs = 100;
    private long pollTimer;
    private boolean closed;
    private boolean reconnectPending;
    private volatile boolean inStep;
    private final Promise<Void> firstSync = Promise.promise();

    private record Message(String epoch, long version, String key, String json) {
    }

    private RedisSharedMap(Vertx vertx, String redisUrl, String name) {
        JsonValues.checkName("shared map", name);
        this.name = name;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        String prefix = "flotilla:shared:" + name + ":";
        this.keys = List.of(prefix + "data", prefix + "rev", prefix + "epoch");
        this.channel = prefix + "changes";
        this.redis = RedisClients.create(vertx, redisUrl);
        this.subscriber = RedisClients.create(vertx, redisUrl);
    }

    /** Opens map {@code name} on Redis at {@code redisUrl}; its cache fills in the background ({@link #ready()}). */
    public static SharedMap open(Vertx vertx, String redisUrl, String name) {
        RedisSharedMap map = new RedisSharedMap(vertx, redisUrl, name);
        map.context.runOnContext(v -> {
            map.connect();
            map.pollTimer = vertx.setPeriodic(POLL_MS, t -> map.poll());
        });
        return map;
    }

    @Override
    public Future<Void> ready() {
        return firstSync.future();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Versioned get(String key) {
        return cache.get(key);
    }

    @Override
    public Future<Versioned> read(String key) {
        if (inStep) {
            return Future.succeededFuture(cache.get(key));
        }
        return redis.send(Request.cmd(Command.HGET).arg(keys.get(0)).arg(key)).recover(this::unavailable)
                .map(reply -> reply == null ? null : parseStored(reply.toString()));
    }

    @Override
    public Map<String, Versioned> entries() {
        return Map.copyOf(cache);
    }

    @Override
    public Future<Long> put(String key, Object value) {
        return putIfVersion(key, value, -1);
    }

    @Override
    public Future<Long> putIfVersion(String key, Object value, long expectedVersion) {
        JsonValues.checkName("shared key", key);
        String json = JsonValues.encode("shared value '" + key + "'", value);
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("shared value '" + key + "': larger than " + MAX_VALUE_BYTES
                    + " bytes of JSON");
        }
        return write(key, json, expectedVersion);
    }

    @Override
    public Future<Long> remove(String key) {
        JsonValues.checkName("shared key", key);
        return write(key, "", -1);
    }

    private Future<Long> write(String key, String json, long expectedVersion) {
        return WRITE.run(redis, keys, channel, key, json, expectedVersion, MAX_KEYS, newEpoch())
                .recover(this::unavailable).compose(reply -> {
                    String outcome = reply.get(0).toString();
                    if (outcome.equals("conflict")) {
                        return Future.failedFuture(new HttpFailure(409, "version_conflict", "shared key '" + key
                                + "' is at version " + reply.get(1) + ", not " + expectedVersion));
                    }
                    if (outcome.equals("full")) {
                        return Future.failedFuture(new HttpFailure(413, "shared_map_full", "shared map '" + name
                                + "' holds " + reply.get(1) + " keys already; remove some first"));
                    }
                    long version = reply.get(1).toLong();
                    String writtenEpoch = reply.get(2).toString();
                    // Read-your-writes on this instance; listeners still hear it in order, from the channel.
                    if (writtenEpoch.equals(epoch)) {
                        cacheNewer(key, json.isEmpty() ? null : JsonValues.decode(json), version);
                    }
                    return Future.succeededFuture(version);
                });
    }

    private <T> Future<T> unavailable(Throwable failure) {
        return Future.failedFuture(new HttpFailure(503, "shared_store_unavailable",
                "Redis for shared map '" + name + "' cannot be reached: " + failure.getMessage()));
    }

    @Override
    public void onChange(Consumer<SharedChange> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public boolean inStep() {
        return inStep;
    }

    @Override
    public Future<Void> close() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            closed = true;
            inStep = false;
            vertx.cancelTimer(pollTimer);
            if (subscription != null) {
                subscription.close();
            }
            Future.join(redis.close(), subscriber.close()).<Void>mapEmpty().onComplete(done);
        });
        return done.future();
    }

    // --- the subscription, on the context's thread

    private void connect() {
        if (closed) {
            return;
        }
        subscriber.connect().onComplete(ar -> {
            if (ar.failed()) {
                lost("cannot connect: " + ar.cause().getMessage());
                return;
            }
            subscription = ar.result();
            subscription.handler(this::received);
            subscription.exceptionHandler(e -> lost(e.getMessage()));
            subscription.endHandler(v -> lost("connection closed"));
            subscription.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).onComplete(subscribed -> {
                if (subscribed.failed()) {
                    lost("cannot subscribe: " + subscribed.cause().getMessage());
                } else {
                    backoffMs = 100;
                    resync("subscribed");
                }
            });
        });
    }

    private void lost(String why) {
        if (closed || reconnectPending) {
            return;
        }
        if (inStep || !firstSync.future().isComplete()) {
            LOG.warn("shared map '{}': subscription lost ({}); reads go to Redis until it is back", name, why);
        }
        inStep = false;
        firstSync.tryComplete(); // a map without Redis still opens; reads then fail with 503
        if (subscription != null) {
            RedisConnection old = subscription;
            subscription = null;
            old.handler(null).exceptionHandler(null).endHandler(null);
            old.close();
        }
        reconnectPending = true;
        vertx.setTimer(backoffMs, t -> {
            reconnectPending = false;
            connect();
        });
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }

    private void received(Response push) {
        if (push.size() < 3 || !"message".equals(push.get(0).toString())) {
            return; // subscribe confirmations
        }
        Message message = parseMessage(push.get(2).toBuffer());
        if (message == null) {
            LOG.warn("shared map '{}': a message not in Flotilla's format was ignored", name);
            return;
        }
        if (resyncing) {
            heldBack.put(message.version, message);
        } else if (!message.epoch.equals(epoch)) {
            resync("a new epoch (Redis lost its data)");
        } else if (message.version == applied + 1) {
            apply(message);
        } else if (message.version > applied + 1) {
            heldBack.put(message.version, message);
            resync("revision " + (applied + 1) + " was not heard");
        }
        // older: a repeat or a late message; never rolls a value back
    }

    /** Loads the whole map, then applies the messages heard meanwhile that are newer than it. */
    private void resync(String why) {
        if (resyncing || closed) {
            return;
        }
        resyncing = true;
        inStep = false;
        LOG.debug("shared map '{}': loading a snapshot ({})", name, why);
        SNAPSHOT.run(redis, keys, newEpoch()).onComplete(ar -> {
            resyncing = false;
            if (ar.failed()) {
                heldBack.clear();
                lost("snapshot failed: " + ar.cause().getMessage());
                return;
            }
            applySnapshot(ar.result());
            heldBack.headMap(applied, true).clear();
            while (!heldBack.isEmpty() && heldBack.firstKey() == applied + 1) {
                Message next = heldBack.pollFirstEntry().getValue();
                if (!next.epoch.equals(epoch)) {
                    break;
                }
                apply(next);
            }
            if (!heldBack.isEmpty()) {
                heldBack.clear();
                resync("a gap right after the snapshot");
                return;
            }
            inStep = subscription != null;
            firstSync.tryComplete();
        });
    }

    private void applySnapshot(Response snapshot) {
        String snapshotEpoch = snapshot.get(0).toString();
        long revision = snapshot.get(1).toLong();
        boolean newEpoch = !snapshotEpoch.equals(epoch);
        Map<String, Versioned> stored = new HashMap<>();
        Response fields = snapshot.get(2);
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            stored.put(fields.get(i).toString(), parseStored(fields.get(i + 1).toString()));
        }
        List<SharedChange> missed = new ArrayList<>();
        stored.forEach((key, value) -> {
            Versioned known = cache.get(key);
            if (newEpoch || value.version() > applied || known == null || known.version() != value.version()) {
                missed.add(new SharedChange(key, value.value(), value.version()));
            }
        });
        for (String key : List.copyOf(cache.keySet())) {
            if (!stored.containsKey(key)) {
                missed.add(new SharedChange(key, null, revision));
            }
        }
        missed.sort(Comparator.comparingLong(SharedChange::version));
        if (newEpoch) {
            cache.clear(); // versions of another epoch cannot be compared with these
        }
        epoch = snapshotEpoch;
        applied = revision;
        stored.forEach((key, value) -> cacheNewer(key, value.value(), value.version()));
        for (String key : List.copyOf(cache.keySet())) {
            if (!stored.containsKey(key)) {
                cacheNewer(key, null, revision);
            }
        }
        missed.forEach(this::tell);
    }

    private void apply(Message message) {
        applied = message.version;
        Object value = message.json.isEmpty() ? null : JsonValues.decode(message.json);
        if (value == null) {
            cache.remove(message.key);
        } else {
            cacheNewer(message.key, value, message.version);
        }
        tell(new SharedChange(message.key, value, message.version));
    }

    private void cacheNewer(String key, Object value, long version) {
        if (value == null) {
            cache.computeIfPresent(key, (k, old) -> old.version() <= version ? null : old);
        } else {
            cache.merge(key, new Versioned(value, version), (old, fresh) -> old.version() >= version ? old : fresh);
        }
    }

    private void tell(SharedChange change) {
        for (Consumer<SharedChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.error("shared map '{}': a change listener failed on {}", name, change.key(), e);
            }
        }
    }

    /** A lost message followed by silence shows only in Redis's revision: compare it with ours. */
    private void poll() {
        if (!inStep || resyncing) {
            return;
        }
        redis.send(Request.cmd(Command.GET).arg(keys.get(1))).onSuccess(reply -> {
            long revision = reply == null ? 0 : reply.toLong();
            if (revision > applied && suspectRevision >= 0 && suspectRevision <= revision
                    && applied < suspectRevision) {
                resync("revision " + suspectRevision + " is in Redis but was not heard");
            }
            suspectRevision = revision > applied ? revision : -1;
            if (revision < applied) {
                resync("Redis is behind this cache (it restarted)");
            }
        });
    }

    /** What Redis holds for map {@code mapName} right now, read directly (for checks and tools, not the cache). */
    public static Future<Map<String, Versioned>> stored(Redis redis, String mapName) {
        return redis.send(Request.cmd(Command.HGETALL).arg("flotilla:shared:" + mapName + ":data")).map(reply -> {
            Map<String, Versioned> stored = new HashMap<>();
            for (String key : reply.getKeys()) { // the client reads HGETALL's pairs as a map
                stored.put(key, parseStored(reply.get(key).toString()));
            }
            return stored;
        });
    }

    private static String newEpoch() {
        return UUID.randomUUID().toString();
    }

    private static Versioned parseStored(String stored) {
        int colon = stored.indexOf(':');
        return new Versioned(JsonValues.decode(stored.substring(colon + 1)),
                Long.parseLong(stored.substring(0, colon)));
    }

    /** {@code "<epoch> <version> <key bytes> <key><json>"}; null when it is not that. */
    static Message parseMessage(Buffer payload) {
        try {
            String text = payload.toString(StandardCharsets.ISO_8859_1); // one char per byte, to count bytes
            int first = text.indexOf(' ');
            int second = text.indexOf(' ', first + 1);
            int third = text.indexOf(' ', second + 1);
            long version = Long.parseLong(text.substring(first + 1, second));
            int keyBytes = Integer.parseInt(text.substring(second + 1, third));
            byte[] bytes = payload.getBytes();
            String key = new String(bytes, third + 1, keyBytes, StandardCharsets.UTF_8);
            String json = new String(bytes, third + 1 + keyBytes, bytes.length - third - 1 - keyBytes,
                    StandardCharsets.UTF_8);
            return new Message(text.substring(0, first), version, key, json);
        } catch (RuntimeException e) {
            return null;
        }
    }
}

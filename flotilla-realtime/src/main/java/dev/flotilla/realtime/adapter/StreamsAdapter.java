package dev.flotilla.realtime.adapter;

import dev.flotilla.realtime.RealtimeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rooms across instances through a Redis Stream, for when losing a broadcast is not acceptable: a Redis
 * that blips, or restarts empty, costs a pause, not messages; and a client that comes back within the
 * recovery window gets what it missed on whichever instance it lands.
 *
 * <p>The registry's watch protocol again: each instance numbers its broadcasts without gaps and keeps the
 * recent ones (at least {@value #RETAIN_MS} ms, and all not yet written); readers apply each publisher's
 * entries in order and drop repeats. When the connection comes back, the kept entries are written again, so
 * entries a Redis that died had taken but nobody had read yet are not lost. The stream entry id is the
 * offset a client echoes for recovery; its state waits in Redis ({@code SET ... PX window}). Requests
 * ({@code fetchSockets}, {@code serverSideEmit}) and volatile broadcasts still go by pub/sub.
 *
 * <p>Delivery is on read-back, also on the instance that broadcast, so every instance hands its clients the
 * same offsets in the same order. The stream is trimmed to about {@value #MAX_LENGTH} entries.
 */
public final class StreamsAdapter extends RedisAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsAdapter.class);
    static final long RETAIN_MS = 5_000;
    private static final int MAX_RETAINED = 100_000;
    private static final int MAX_LENGTH = 100_000;
    private static final int MAX_REPLAY = 10_000;
    private static final int MAX_PUBLISHERS = 1_000;

    private final String streamKey;
    private final String sessionPrefix;
    private final Promise<Void> reading = Promise.promise();
    // On the context's thread:
    private long nextSeq;
    private final ArrayDeque<Entry> retained = new ArrayDeque<>();
    private RedisConnection reader;
    private String lastId;
    private final Map<String, Long> lastSeqs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_PUBLISHERS;
        }
    };

    private record Entry(long seq, byte[] message, long createdAt) {
    }

    public StreamsAdapter(Vertx vertx, String redisUrl, Members members, RealtimeOptions options, String node) {
        super(vertx, redisUrl, members, options, node);
        this.streamKey = options.redisKey() + "-stream#" + members.namespace() + "#";
        this.sessionPrefix = options.redisKey() + "-session#" + members.namespace() + "#";
    }

    @Override
    public Future<Void> ready() {
        return Future.all(super.ready(), reading.future()).mapEmpty();
    }

    @Override
    public void broadcast(JsonArray data, BroadcastOptions opts) {
        if (opts.isVolatile()) {
            super.broadcast(data, opts); // may be lost, so pub/sub's speed is worth more
            return;
        }
        JsonObject packet = new JsonObject().put("type", 2).put("data", data).put("nsp", members.namespace());
        JsonObject flags = new JsonObject().put("local", opts.local());
        JsonObject rawOpts = new JsonObject().put("rooms", new JsonArray(new ArrayList<>(opts.rooms())))
                .put("except", new JsonArray(new ArrayList<>(opts.except()))).put("flags", flags);
        context.runOnContext(v -> {
            long seq = nextSeq++;
            byte[] message = MsgPack.encode(new JsonArray().add(uid).add(seq).add(packet).add(rawOpts));
            Entry entry = new Entry(seq, message, System.currentTimeMillis());
            retained.add(entry);
            prune();
            if (up()) {
                send(add(entry), false);
            }
        });
    }

    private Request add(Entry entry) {
        return Request.cmd(Command.XADD).arg(streamKey).arg("MAXLEN").arg("~").arg(MAX_LENGTH).arg("*")
                .arg("m").arg(Buffer.buffer(entry.message()));
    }

    private void prune() {
        long old = System.currentTimeMillis() - RETAIN_MS;
        while (!retained.isEmpty() && (retained.size() > MAX_RETAINED
                || retained.peek().createdAt() < old && up())) {
            retained.poll();
        }
    }

    @Override
    protected void connected() {
        // Written again: readers drop what they already have, and get what a Redis that died had not passed on.
        prune();
        retained.forEach(entry -> send(add(entry), false));
        if (reader == null) {
            connections.connect().onComplete(ar -> {
                if (ar.failed()) {
                    lost("cannot open the stream reader: " + ar.cause().getMessage());
                    return;
                }
                RedisConnection connection = ar.result();
                if (closed) {
                    connection.close();
                    return;
                }
                reader = connection;
                connection.exceptionHandler(e -> lost("stream reader: " + e.getMessage()));
                connection.endHandler(v -> lost("stream reader closed"));
                startReading(connection);
            });
        }
    }

    @Override
    protected void disconnected() {
        if (reader != null) {
            RedisConnection old = reader;
            reader = null;
            old.exceptionHandler(null).endHandler(null);
            old.close();
        }
    }

    private void startReading(RedisConnection connection) {
        if (lastId != null) {
            read(connection);
            return;
        }
        // The first read starts after the newest entry: a concrete id, so nothing written meanwhile is missed.
        connection.send(Request.cmd(Command.XREVRANGE).arg(streamKey).arg("+").arg("-").arg("COUNT").arg(1))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        lost("stream reader: " + ar.cause().getMessage());
                        return;
                    }
                    Response newest = ar.result();
                    lastId = newest == null || newest.size() == 0 ? "0-0" : newest.get(0).get(0).toString();
                    reading.tryComplete();
                    read(connection);
                });
    }

    private void read(RedisConnection connection) {
        if (connection != reader || closed) {
            return;
        }
        connection.send(Request.cmd(Command.XREAD).arg("COUNT").arg(1000).arg("BLOCK").arg(1000)
                .arg("STREAMS").arg(streamKey).arg(lastId)).onComplete(ar -> {
                    if (connection != reader) {
                        return;
                    }
                    if (ar.failed()) {
                        lost("stream reader: " + ar.cause().getMessage());
                        return;
                    }
                    Response streams = ar.result();
                    if (streams != null) {
                        for (Response stream : streams) {
                            for (Response entry : stream.get(1)) {
                                lastId = entry.get(0).toString();
                                onEntry(lastId, entry.get(1));
                            }
                        }
                    }
                    read(connection);
                });
    }

    private void onEntry(String id, Response fields) {
        JsonArray message = decode(fields);
        if (message == null) {
            return;
        }
        String from = message.getString(0);
        long seq = ((Number) message.getValue(1)).longValue();
        Long last = lastSeqs.get(from);
        if (last != null && seq <= last) {
            return; // written again after a reconnection, and already delivered
        }
        if (last != null && seq > last + 1) {
            LOG.warn("realtime {}: {} broadcasts from instance {} never reached this one", members.namespace(),
                    seq - last - 1, from);
        }
        lastSeqs.put(from, seq);
        JsonObject packet = message.getJsonObject(2);
        JsonObject opts = message.getJsonObject(3);
        if (opts.getJsonObject("flags", new JsonObject()).getBoolean("local", false) && !from.equals(uid)) {
            return;
        }
        BroadcastOptions broadcast = fromWire(opts, false);
        JsonArray data = (JsonArray) packet.getValue("data");
        deliver(options.recovery() ? withOffset(data, id) : data, broadcast);
    }

    private static JsonArray decode(Response fields) {
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if ("m".equals(fields.get(i).toString())) {
                try {
                    Object decoded = MsgPack.decode(fields.get(i + 1).toBytes());
                    if (decoded instanceof JsonArray array && array.size() == 4) {
                        return array;
                    }
                } catch (RuntimeException e) {
                    break;
                }
            }
        }
        LOG.warn("realtime: a stream entry not in Flotilla's format was ignored");
        return null;
    }

    // --- connection state recovery, in Redis so that any instance can restore

    @Override
    public void persistSession(String sid, String pid, Set<String> joined, JsonObject data) {
        JsonObject session = new JsonObject().put("sid", sid).put("pid", pid)
                .put("rooms", new JsonArray(new ArrayList<>(joined))).put("data", data);
        redis.send(Request.cmd(Command.SET).arg(sessionPrefix + pid).arg(session.encode()).arg("PX")
                .arg(options.recoveryWindow().toMillis()))
                .onFailure(e -> LOG.warn("realtime {}: the state of socket {} could not be kept for its return: {}",
                        members.namespace(), sid, e.getMessage()));
    }

    @Override
    public Future<RestoredSession> restoreSession(String pid, String offset) {
        return redis.send(Request.cmd(Command.GETDEL).arg(sessionPrefix + pid)).compose(found -> {
            if (found == null) {
                return Future.succeededFuture();
            }
            JsonObject session = new JsonObject(found.toString());
            return redis.send(Request.cmd(Command.XRANGE).arg(streamKey).arg(offset).arg("+").arg("COUNT")
                    .arg(MAX_REPLAY + 1)).map(entries -> missed(session, offset, entries));
        });
    }

    private RestoredSession missed(JsonObject session, String offset, Response entries) {
        if (entries == null || entries.size() == 0 || !entries.get(0).get(0).toString().equals(offset)
                || entries.size() > MAX_REPLAY) {
            return null; // the offset is no longer in the stream (or too much was missed): a new session
        }
        Set<String> rooms = strings(session.getJsonArray("rooms"));
        List<JsonArray> missed = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < entries.size(); i++) {
            Response entry = entries.get(i);
            JsonArray message = decode(entry.get(1));
            if (message == null || !seen.add(message.getString(0) + "/" + message.getValue(1))) {
                continue; // not ours, or a repeat written after a reconnection
            }
            if (reaches(rooms, fromWire(message.getJsonObject(3), false))) {
                JsonArray data = (JsonArray) message.getJsonObject(2).getValue("data");
                missed.add(withOffset(data, entry.get(0).toString()));
            }
        }
        return new RestoredSession(session.getString("sid"), session.getString("pid"), rooms,
                session.getJsonObject("data", new JsonObject()), missed);
    }
}

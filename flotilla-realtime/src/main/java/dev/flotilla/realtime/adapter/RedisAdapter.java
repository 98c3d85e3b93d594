package dev.flotilla.realtime.adapter;

import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.realtime.ClusterReply;
import dev.flotilla.realtime.RealtimeOptions;
import dev.flotilla.realtime.engine.EngineServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A namespace's rooms across every instance, through Redis pub/sub, in {@code @socket.io/redis-adapter}'s
 * wire format, so that Flotilla instances and Node.js {@code socket.io} servers share rooms on one Redis:
 * <ul>
 * <li>a broadcast is published once, as MessagePack {@code [uid, packet, {rooms, except, flags}]}, on
 * {@code <key>#<nsp>#}, or {@code <key>#<nsp>#<room>#} when it targets one room; every instance
 * pattern-subscribes to {@code <key>#<nsp>#*} and delivers it to its own sockets;</li>
 * <li>requests ({@code fetchSockets}, {@code serverSideEmit}, remote join/leave/disconnect) are JSON on
 * {@code <key>-request#<nsp>#}, answers on {@code <key>-response#<nsp>#}; the number of instances is the
 * request channel's subscriber count ({@code PUBSUB NUMSUB}).</li>
 * </ul>
 * Pub/sub loses what is published while Redis is away. When the subscription drops, it is made again with
 * a backoff of at most a second, and the log says when it is back.
 */
public class RedisAdapter extends LocalAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RedisAdapter.class);
    private static final long MAX_BACKOFF_MS = 1_000;
    private static final int MAX_UNSENT = 10_000;
    private static final long ANNOUNCE_MS = 5_000;
    /** Stands in the in-flight queue for a request that is not sent again. */
    private static final Request NOT_RETRIED = Request.cmd(Command.PING);
    // The Node adapter's request types.
    private static final int SOCKETS = 0;
    private static final int ALL_ROOMS = 1;
    private static final int REMOTE_JOIN = 2;
    private static final int REMOTE_LEAVE = 3;
    private static final int REMOTE_DISCONNECT = 4;
    private static final int REMOTE_FETCH = 5;
    private static final int SERVER_SIDE_EMIT = 6;

    protected final Vertx vertx;
    protected final Context context;
    protected final Redis redis;
    protected final Redis connections;
    protected final String uid = EngineServer.newId().substring(0, 8);
    private final String node;
    private final String channel;
    private final String requestChannel;
    private final String responseChannel;
    /** A hash of the Flotilla instances of this namespace: uid to "instance-id|last-seen-ms". */
    private final String nodesKey;
    private final Promise<Void> firstSubscription = Promise.promise();
    // On the context's thread:
    private RedisConnection subscriber;
    private RedisConnection publisher;
    /** Requests for the publishing connection while it is down, sent in order once it is back. */
    private final ArrayDeque<Request> unsent = new ArrayDeque<>();
    /** Sent on the publishing connection, not answered yet: sent again (in order) if the connection drops. */
    private final ArrayDeque<Request> inFlight = new ArrayDeque<>();
    private boolean connecting;
    private long backoffMs = 50;
    private long lostAt;
    protected boolean closed;
    private long announceTimer;
    private final Map<String, PendingRequest> requests = new HashMap<>();

    private static final class PendingRequest {
        final int expected;
        final List<Object> values = new ArrayList<>();
        final List<String> answered = new ArrayList<>();
        final Set<String> answeredUids = new HashSet<>();
        final Promise<ClusterReply<Object>> done = Promise.promise();
        long timer;

        PendingRequest(int expected) {
            this.expected = expected;
        }
    }

    /**
     * @param node this instance's name, sent with its answers so that a caller can say who did not answer
     */
    public RedisAdapter(Vertx vertx, String redisUrl, Members members, RealtimeOptions options, String node) {
        super(members, options);
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.redis = RedisClients.create(vertx, redisUrl);
        this.connections = RedisClients.create(vertx, redisUrl);
        this.node = node;
        String nsp = members.namespace();
        this.channel = options.redisKey() + "#" + nsp + "#";
        this.requestChannel = options.redisKey() + "-request#" + nsp + "#";
        this.responseChannel = options.redisKey() + "-response#" + nsp + "#";
        this.nodesKey = options.redisKey() + "-nodes#" + nsp + "#";
        context.runOnContext(v -> {
            connect();
            announceTimer = vertx.setPeriodic(ANNOUNCE_MS, t -> announce());
        });
    }

    @Override
    public Future<Void> ready() {
        return firstSubscription.future();
    }

    /** Whether the publishing connection is up now. */
    protected boolean up() {
        return publisher != null;
    }

    // --- broadcasts

    @Override
    public void broadcast(JsonArray data, BroadcastOptions opts) {
        if (!opts.local()) {
            JsonObject packet = new JsonObject().put("type", 2).put("data", data).put("nsp", members.namespace());
            JsonObject flags = new JsonObject();
            if (opts.isVolatile()) {
                flags.put("volatile", true);
            }
            JsonObject rawOpts = new JsonObject().put("rooms", new JsonArray(new ArrayList<>(opts.rooms())))
                    .put("except", new JsonArray(new ArrayList<>(opts.except()))).put("flags", flags);
            byte[] message = MsgPack.encode(new JsonArray().add(uid).add(packet).add(rawOpts));
            String target = opts.rooms().size() == 1 ? channel + opts.rooms().iterator().next() + "#" : channel;
            publish(target, message);
        }
        deliverLocally(data, opts);
    }

    private void publish(String target, Object message) {
        Request publish = Request.cmd(Command.PUBLISH).arg(target);
        if (message instanceof byte[] bytes) {
            publish.arg(Buffer.buffer(bytes));
        } else {
            publish.arg((String) message);
        }
        context.runOnContext(v -> send(publish));
    }

    /**
     * Sends a request on the one publishing connection, pipelined, so that requests leave in the order they
     * were made. While Redis is away they wait (at most {@value #MAX_UNSENT}); one that was in flight when the
     * connection dropped is sent again. Call on the context's thread.
     */
    protected void send(Request request) {
        send(request, true);
    }

    /** As {@link #send(Request)}; without {@code retry}, a request that cannot be sent now is dropped. */
    protected void send(Request request, boolean retry) {
        if (publisher == null && !retry) {
            return;
        }
        if (publisher == null) {
            if (unsent.size() >= MAX_UNSENT) {
                unsent.poll(); // the oldest goes: a bound on memory during a long outage
            }
            unsent.add(request);
            return;
        }
        RedisConnection connection = publisher;
        Request tracked = retry ? request : null;
        inFlight.add(tracked == null ? NOT_RETRIED : tracked);
        connection.send(request).onComplete(ar -> {
            if (connection != publisher) {
                return; // the connection was lost; what was in flight was queued again
            }
            inFlight.poll(); // replies come in order
            if (ar.failed()) {
                lost("publish failed: " + ar.cause().getMessage());
            }
        });
    }

    private void onMessage(String from, byte[] payload) {
        String room = from.length() > channel.length() ? from.substring(channel.length(), from.length() - 1) : "";
        if (!room.isEmpty() && !hasRoom(room)) {
            return; // a room with no socket here
        }
        Object decoded;
        try {
            decoded = MsgPack.decode(payload);
        } catch (RuntimeException e) {
            LOG.warn("realtime {}: a broadcast that is not MessagePack was ignored", members.namespace());
            return;
        }
        if (!(decoded instanceof JsonArray message) || message.size() < 3
                || !(message.getValue(1) instanceof JsonObject packet)
                || !(message.getValue(2) instanceof JsonObject opts)) {
            LOG.warn("realtime {}: a broadcast not in the adapter's format was ignored", members.namespace());
            return;
        }
        if (uid.equals(message.getValue(0)) || !members.namespace().equals(packet.getString("nsp", "/"))
                || !(packet.getValue("data") instanceof JsonArray data) || packet.getInteger("type", 2) != 2) {
            return; // our own, another namespace's, or a kind of packet only sent with acks
        }
        JsonObject flags = opts.getJsonObject("flags", new JsonObject());
        deliverLocally(data, fromWire(opts, flags.getBoolean("volatile", false)));
    }

    /** The rooms and exceptions of a broadcast from another instance, for delivery here only. */
    protected static BroadcastOptions fromWire(JsonObject opts, boolean isVolatile) {
        return new BroadcastOptions(strings(opts.getJsonArray("rooms")), strings(opts.getJsonArray("except")), true,
                isVolatile);
    }

    protected static Set<String> strings(JsonArray array) {
        if (array == null) {
            return Set.of();
        }
        Set<String> values = new HashSet<>();
        array.forEach(value -> values.add(String.valueOf(value)));
        return values;
    }

    // --- requests to every instance

    @Override
    public Future<ClusterReply<JsonObject>> fetchSockets(BroadcastOptions opts) {
        List<JsonObject> local = localSockets(opts);
        if (opts.local()) {
            return Future.succeededFuture(ClusterReply.local(local));
        }
        JsonObject request = new JsonObject().put("type", REMOTE_FETCH).put("opts", new JsonObject()
                .put("rooms", new JsonArray(new ArrayList<>(opts.rooms())))
                .put("except", new JsonArray(new ArrayList<>(opts.except()))));
        return request(request).map(reply -> {
            List<JsonObject> all = new ArrayList<>(local);
            for (Object answer : reply.values()) {
                if (answer instanceof JsonArray sockets) {
                    sockets.forEach(s -> all.add((JsonObject) s));
                }
            }
            return new ClusterReply<>(all, reply.expected(), reply.answered(), reply.silent());
        });
    }

    @Override
    public void serverSideEmit(JsonArray args) {
        publish(requestChannel, new JsonObject().put("uid", uid).put("type", SERVER_SIDE_EMIT).put("data", args)
                .encode());
    }

    @Override
    public Future<ClusterReply<Object>> serverSideEmitWithAck(JsonArray args) {
        return request(new JsonObject().put("type", SERVER_SIDE_EMIT).put("data", args));
    }

    @Override
    public void disconnectSockets(BroadcastOptions opts, boolean close) {
        if (!opts.local()) {
            publish(requestChannel, new JsonObject().put("uid", uid).put("type", REMOTE_DISCONNECT)
                    .put("opts", optsJson(opts)).put("close", close).encode());
        }
        super.disconnectSockets(opts, close);
    }

    @Override
    public void addSockets(BroadcastOptions opts, Collection<String> newRooms) {
        if (!opts.local()) {
            publish(requestChannel, new JsonObject().put("uid", uid).put("type", REMOTE_JOIN)
                    .put("opts", optsJson(opts)).put("rooms", new JsonArray(new ArrayList<>(newRooms))).encode());
        }
        super.addSockets(opts, newRooms);
    }

    @Override
    public void delSockets(BroadcastOptions opts, Collection<String> oldRooms) {
        if (!opts.local()) {
            publish(requestChannel, new JsonObject().put("uid", uid).put("type", REMOTE_LEAVE)
                    .put("opts", optsJson(opts)).put("rooms", new JsonArray(new ArrayList<>(oldRooms))).encode());
        }
        super.delSockets(opts, oldRooms);
    }

    private static JsonObject optsJson(BroadcastOptions opts) {
        return new JsonObject().put("rooms", new JsonArray(new ArrayList<>(opts.rooms())))
                .put("except", new JsonArray(new ArrayList<>(opts.except())));
    }

    /**
     * Publishes a request and gathers the other instances' answers until each answered or the request timeout
     * passed: never longer, whoever is gone.
     */
    private Future<ClusterReply<Object>> request(JsonObject request) {
        Promise<ClusterReply<Object>> result = Promise.promise();
        context.runOnContext(v -> redis.send(Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(requestChannel))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        result.fail("Redis cannot be reached: " + ar.cause().getMessage());
                        return;
                    }
                    int others = ar.result().get(1).toInteger() - 1;
                    if (others <= 0) {
                        result.complete(ClusterReply.local(List.of()));
                        return;
                    }
                    String requestId = EngineServer.newId().substring(0, 12);
                    PendingRequest pending = new PendingRequest(others);
                    requests.put(requestId, pending);
                    pending.timer = vertx.setTimer(options.requestTimeout().toMillis(), t -> finish(requestId));
                    pending.done.future().onComplete(result);
                    send(Request.cmd(Command.PUBLISH).arg(requestChannel)
                            .arg(request.copy().put("uid", uid).put("requestId", requestId).encode()));
                }));
        return result.future();
    }

    private void finish(String requestId) {
        PendingRequest pending = requests.remove(requestId);
        if (pending == null) {
            return;
        }
        vertx.cancelTimer(pending.timer);
        if (pending.answered.size() >= pending.expected) {
            pending.done.complete(new ClusterReply<>(List.copyOf(pending.values), pending.expected,
                    List.copyOf(pending.answered), List.of()));
            return;
        }
        // Who is missing: the Flotilla instances that said they were alive lately and did not answer.
        redis.send(Request.cmd(Command.HGETALL).arg(nodesKey)).onComplete(ar -> {
            List<String> silent = new ArrayList<>();
            long recent = System.currentTimeMillis() - 3 * ANNOUNCE_MS;
            if (ar.succeeded() && ar.result() != null) {
                Response nodes = ar.result();
                for (int i = 0; i + 1 < nodes.size(); i += 2) {
                    String other = nodes.get(i).toString();
                    String[] nameAndTime = nodes.get(i + 1).toString().split("\\|", 2);
                    if (!other.equals(uid) && !pending.answeredUids.contains(other) && nameAndTime.length == 2
                            && Long.parseLong(nameAndTime[1]) > recent) {
                        silent.add(nameAndTime[0]);
                    }
                }
            }
            pending.done.complete(new ClusterReply<>(List.copyOf(pending.values), pending.expected,
                    List.copyOf(pending.answered), List.copyOf(silent)));
        });
    }

    /** Says in Redis that this instance is alive, so that a request it does not answer can name it. */
    private void announce() {
        if (!closed) {
            redis.send(Request.cmd(Command.HSET).arg(nodesKey).arg(uid).arg(node + "|" + System.currentTimeMillis()));
        }
    }

    private void onRequest(byte[] payload) {
        JsonObject request;
        try {
            request = new JsonObject(Buffer.buffer(payload));
        } catch (RuntimeException e) {
            return; // MessagePack requests are broadcasts with acks, which this adapter does not take part in
        }
        if (uid.equals(request.getString("uid"))) {
            return;
        }
        String requestId = request.getString("requestId");
        BroadcastOptions opts = request.getJsonObject("opts") == null ? BroadcastOptions.ALL
                : fromWire(request.getJsonObject("opts"), false);
        switch (request.getInteger("type", -1)) {
            case SOCKETS -> respond(new JsonObject().put("requestId", requestId).put("sockets",
                    new JsonArray(localSockets(new BroadcastOptions(strings(request.getJsonArray("rooms")),
                            Set.of(), true, false)).stream().map(s -> (Object) s.getString("id")).toList())));
            case ALL_ROOMS -> respond(new JsonObject().put("requestId", requestId)
                    .put("rooms", new JsonArray(new ArrayList<>(rooms()))));
            case REMOTE_JOIN -> super.addSockets(opts, strings(request.getJsonArray("rooms")));
            case REMOTE_LEAVE -> super.delSockets(opts, strings(request.getJsonArray("rooms")));
            case REMOTE_DISCONNECT -> super.disconnectSockets(opts, request.getBoolean("close", false));
            case REMOTE_FETCH -> respond(new JsonObject().put("requestId", requestId)
                    .put("sockets", new JsonArray(new ArrayList<>(localSockets(opts)))));
            case SERVER_SIDE_EMIT -> {
                JsonArray data = request.getJsonArray("data", new JsonArray());
                if (requestId == null) {
                    members.serverSideEmit(data, null);
                    return;
                }
                AtomicBoolean called = new AtomicBoolean();
                Consumer<Object> ack = answer -> {
                    if (called.compareAndSet(false, true)) {
                        respond(new JsonObject().put("type", SERVER_SIDE_EMIT).put("requestId", requestId)
                                .put("data", answer));
                    }
                };
                members.serverSideEmit(data, ack);
            }
            default -> {
                // a request type this adapter does not serve (broadcasts with acks)
            }
        }
    }

    private void respond(JsonObject response) {
        publish(responseChannel, response.put("uid", uid).put("node", node).encode());
    }

    private void onResponse(byte[] payload) {
        JsonObject response;
        try {
            response = new JsonObject(Buffer.buffer(payload));
        } catch (RuntimeException e) {
            return;
        }
        String requestId = response.getString("requestId");
        PendingRequest pending = requestId == null ? null : requests.get(requestId);
        if (pending == null) {
            return;
        }
        pending.answered.add(response.getString("node", "node"));
        if (response.getString("uid") != null) {
            pending.answeredUids.add(response.getString("uid"));
        }
        pending.values.add(response.containsKey("sockets") ? response.getValue("sockets") : response.getValue("data"));
        if (pending.answered.size() >= pending.expected) {
            finish(requestId);
        }
    }

    // --- the connections, on the context's thread

    private void connect() {
        if (closed || connecting) {
            return;
        }
        connecting = true;
        Future.all(connections.connect(), connections.connect()).onComplete(ar -> {
            connecting = false;
            if (ar.failed()) {
                lost("cannot connect: " + ar.cause().getMessage());
                return;
            }
            RedisConnection sub = ar.result().resultAt(0);
            RedisConnection pub = ar.result().resultAt(1);
            if (closed) {
                sub.close();
                pub.close();
                return;
            }
            sub.handler(this::received);
            sub.exceptionHandler(e -> lost(e.getMessage()));
            sub.endHandler(v -> lost("connection closed"));
            pub.exceptionHandler(e -> lost(e.getMessage()));
            pub.endHandler(v -> lost("connection closed"));
            Future.all(sub.send(Request.cmd(Command.PSUBSCRIBE).arg(channel + "*")),
                    sub.send(Request.cmd(Command.SUBSCRIBE).arg(requestChannel).arg(responseChannel)))
                    .onComplete(subscribed -> {
                        if (subscribed.failed()) {
                            sub.close();
                            pub.close();
                            lost("cannot subscribe: " + subscribed.cause().getMessage());
                            return;
                        }
                        subscriber = sub;
                        publisher = pub;
                        backoffMs = 50;
                        if (lostAt > 0) {
                            LOG.info("realtime {}: subscribed to Redis again, {} ms after losing it",
                                    members.namespace(), System.currentTimeMillis() - lostAt);
                            lostAt = 0;
                        }
                        List<Request> waiting = new ArrayList<>(unsent);
                        unsent.clear();
                        waiting.forEach(this::send);
                        announce();
                        connected();
                        firstSubscription.tryComplete();
                    });
        });
    }

    /** Called on the context's thread each time the connections are (again) up and subscribed. */
    protected void connected() {
    }

    /** Called on the context's thread when the connections are lost. */
    protected void disconnected() {
    }

    protected void lost(String why) {
        if (closed) {
            return;
        }
        if (lostAt == 0) {
            lostAt = System.currentTimeMillis();
            LOG.warn("realtime {}: lost Redis ({}); broadcasts reach this instance only until it is back",
                    members.namespace(), why);
        }
        for (RedisConnection connection : new RedisConnection[] {subscriber, publisher}) {
            if (connection != null) {
                connection.handler(null).exceptionHandler(null).endHandler(null);
                connection.close();
            }
        }
        subscriber = null;
        publisher = null;
        // What was in flight may not have reached Redis: it goes first when the connection is back.
        while (!inFlight.isEmpty()) {
            Request request = inFlight.pollLast();
            if (request != NOT_RETRIED) {
                unsent.addFirst(request);
            }
        }
        disconnected();
        if (!connecting) {
            connecting = true;
            vertx.setTimer(backoffMs, t -> {
                connecting = false;
                connect();
            });
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        }
    }

    private void received(Response push) {
        String kind = push.size() > 0 ? push.get(0).toString() : "";
        if (kind.equals("pmessage") && push.size() == 4) {
            onMessage(push.get(2).toString(), push.get(3).toBytes());
        } else if (kind.equals("message") && push.size() == 3) {
            String from = push.get(1).toString();
            if (from.equals(requestChannel)) {
                onRequest(push.get(2).toBytes());
            } else if (from.startsWith(responseChannel)) {
                onResponse(push.get(2).toBytes());
            }
        }
    }

    @Override
    public Future<Void> close() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            closed = true;
            requests.keySet().stream().toList().forEach(this::finish);
            for (RedisConnection connection : new RedisConnection[] {subscriber, publisher}) {
                if (connection != null) {
                    connection.close();
                }
            }
            vertx.cancelTimer(announceTimer);
            redis.send(Request.cmd(Command.HDEL).arg(nodesKey).arg(uid)).timeout(1, TimeUnit.SECONDS)
                    .transform(ar -> Future.join(redis.close(), connections.close())).<Void>mapEmpty()
                    .onComplete(done);
        });
        return done.future();
    }
}

package dev.flotilla.realtime;

import dev.flotilla.realtime.adapter.BroadcastOptions;
import dev.flotilla.realtime.adapter.LocalAdapter;
import dev.flotilla.realtime.engine.EngineServer;
import dev.flotilla.realtime.engine.Handshake;
import dev.flotilla.realtime.protocol.SocketPacket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client in one namespace: the server side of a {@code socket.io-client} socket. Its handlers run on the
 * event loop of its connection, one at a time; its methods may be called from any thread.
 */
public final class Socket {

    private static final Logger LOG = LoggerFactory.getLogger(Socket.class);
    /** Reasons after which a client may come back and recover its state (as in Socket.IO). */
    private static final Set<String> RECOVERABLE = Set.of("transport error", "transport close", "forced close",
            "ping timeout", "server shutting down", "forced server close");

    private final String id;
    private final String pid;
    private final Namespace namespace;
    private final Client client;
    private final JsonObject auth;
    private final boolean recovered;
    private volatile JsonObject data = new JsonObject();
    private final Map<String, List<EventHandler>> handlers = new ConcurrentHashMap<>();
    private final List<Consumer<String>> disconnectHandlers = new CopyOnWriteArrayList<>();
    private final Map<Long, Promise<JsonArray>> acks = new ConcurrentHashMap<>();
    private final AtomicLong nextAck = new AtomicLong();
    private volatile boolean connected;

    Socket(Namespace namespace, Client client, JsonObject auth, LocalAdapter.RestoredSession restored) {
        this.namespace = namespace;
        this.client = client;
        this.auth = auth;
        this.recovered = restored != null;
        boolean recovery = namespace.server().options().recovery();
        this.id = recovered ? restored.sid() : EngineServer.newId();
        this.pid = recovered ? restored.pid() : recovery ? EngineServer.newId() : null;
        if (recovered) {
            this.data = restored.data() == null ? new JsonObject() : restored.data();
        }
    }

    public String id() {
        return id;
    }

    public Namespace namespace() {
        return namespace;
    }

    /** The request that opened the connection: headers, query, address. */
    public Handshake handshake() {
        return client.session().handshake();
    }

    /** The {@code auth} payload the client sent to join the namespace (empty when none). */
    public JsonObject auth() {
        return auth;
    }

    /** Free-form data of the application's, shown to other instances by {@code fetchSockets()}. */
    public JsonObject data() {
        return data;
    }

    /** "polling" or "websocket". */
    public String transport() {
        return client.session().transport();
    }

    /** Whether this socket came back within the recovery window and got what it missed. */
    public boolean recovered() {
        return recovered;
    }

    public boolean connected() {
        return connected;
    }

    /** The rooms the socket is in; its own id is always one of them. */
    public Set<String> rooms() {
        return namespace.adapter().roomsOf(id);
    }

    /** Adds a handler for an event from this client. */
    public Socket on(String event, EventHandler handler) {
        handlers.computeIfAbsent(event, e -> new CopyOnWriteArrayList<>()).add(handler);
        return this;
    }

    /** Adds a handler for the disconnection, with its reason ("client namespace disconnect", "ping timeout"...). */
    public Socket onDisconnect(Consumer<String> handler) {
        disconnectHandlers.add(handler);
        return this;
    }

    public void join(String... rooms) {
        namespace.adapter().addAll(id, List.of(rooms));
    }

    public void leave(String room) {
        namespace.adapter().del(id, room);
    }

    /** Sockets in these rooms, on every instance, but not this one. */
    public Broadcast to(String... rooms) {
        return broadcast().to(rooms);
    }

    /** Every socket of the namespace, on every instance, but this one. */
    public Broadcast broadcast() {
        return new Broadcast(namespace, Set.of(), Set.of(id), false, false);
    }

    /** Sends an event to this client. */
    public void emit(String event, Object... args) {
        JsonArray eventData = Namespace.eventData(event, args);
        if (namespace.server().options().recovery()) {
            // Through the adapter, as Socket.IO does, so that the packet carries an offset and is kept.
            namespace.adapter().broadcast(eventData, new BroadcastOptions(Set.of(id), Set.of(), true, false));
        } else {
            client.send(SocketPacket.of(SocketPacket.EVENT, namespace.name(), eventData));
        }
    }

    /** Sends an event and waits for the client's acknowledgement, at most the server's ack timeout. */
    public Future<JsonArray> emitWithAck(String event, Object... args) {
        return emitWithAck(namespace.server().options().ackTimeout(), event, args);
    }

    /** Sends an event and waits for the client's acknowledgement; fails after {@code timeout}. */
    public Future<JsonArray> emitWithAck(Duration timeout, String event, Object... args) {
        JsonArray eventData = Namespace.eventData(event, args);
        long ackId = nextAck.getAndIncrement();
        Promise<JsonArray> answer = Promise.promise();
        if (!connected) {
            return Future.failedFuture("socket " + id + " is disconnected");
        }
        acks.put(ackId, answer);
        long timer = namespace.server().vertx().setTimer(timeout.toMillis(), t -> {
            if (acks.remove(ackId) != null) {
                answer.tryFail(new TimeoutException("no acknowledgement from socket " + id + " within "
                        + timeout.toMillis() + " ms"));
            }
        });
        client.send(new SocketPacket(SocketPacket.EVENT, namespace.name(), ackId, eventData));
        return answer.future().onComplete(ar -> namespace.server().vertx().cancelTimer(timer));
    }

    /** Leaves the namespace; {@code close} also closes the connection (the client then does not reconnect). */
    public void disconnect(boolean close) {
        client.session().execute(() -> {
            if (!connected) {
                return;
            }
            client.send(SocketPacket.of(SocketPacket.DISCONNECT, namespace.name(), null));
            closed("server namespace disconnect");
            if (close) {
                client.session().close();
            }
        });
    }

    // --- on the connection's thread

    Client client() {
        return client;
    }

    JsonObject handshakeJson() {
        return handshake().toJson().put("auth", auth);
    }

    void connected(LocalAdapter.RestoredSession restored) {
        connected = true;
        List<String> rooms = new ArrayList<>();
        rooms.add(id);
        if (restored != null) {
            rooms.addAll(restored.rooms());
        }
        namespace.adapter().addAll(id, rooms);
        JsonObject answer = new JsonObject().put("sid", id);
        if (pid != null) {
            answer.put("pid", pid);
        }
        client.send(SocketPacket.of(SocketPacket.CONNECT, namespace.name(), answer));
        if (restored != null) {
            restored.missed().forEach(missed ->
                    client.send(SocketPacket.of(SocketPacket.EVENT, namespace.name(), missed)));
        }
    }

    void onPacket(SocketPacket packet) {
        if (packet.isEvent()) {
            JsonArray args = (JsonArray) packet.data();
            String event = String.valueOf(args.getValue(0));
            Ack ack = packet.id() < 0 ? NO_ACK : new ClientAck(packet.id());
            List<EventHandler> eventHandlers = handlers.get(event);
            if (eventHandlers == null) {
                return;
            }
            JsonArray eventArgs = new JsonArray(args.getList().subList(1, args.size()));
            for (EventHandler handler : eventHandlers) {
                try {
                    handler.handle(eventArgs, ack);
                } catch (RuntimeException e) {
                    LOG.error("realtime {}: the handler of '{}' failed", namespace.name(), event, e);
                }
            }
        } else if (packet.isAck()) {
            Promise<JsonArray> answer = acks.remove(packet.id());
            if (answer != null) {
                answer.tryComplete((JsonArray) packet.data());
            }
        } else if (packet.type() == SocketPacket.DISCONNECT) {
            closed("client namespace disconnect");
        } else {
            client.protocolError("a packet of type " + packet.type() + " for a connected namespace");
        }
    }

    /** The socket is gone: its state is kept for recovery when the reason allows, its rooms are freed. */
    void closed(String reason) {
        if (!connected) {
            return;
        }
        connected = false;
        LocalAdapter adapter = namespace.adapter();
        if (pid != null && RECOVERABLE.contains(reason)) {
            adapter.persistSession(id, pid, adapter.roomsOf(id), data);
        }
        adapter.delAll(id);
        namespace.remove(this);
        client.remove(this);
        acks.values().forEach(p -> p.tryFail("socket " + id + " disconnected: " + reason));
        acks.clear();
        for (Consumer<String> handler : disconnectHandlers) {
            try {
                handler.accept(reason);
            } catch (RuntimeException e) {
                LOG.error("realtime {}: a disconnect handler failed", namespace.name(), e);
            }
        }
    }

    private static final Ack NO_ACK = new Ack() {
        @Override
        public void send(Object... args) {
        }

        @Override
        public boolean requested() {
            return false;
        }
    };

    /** The acknowledgement of one event from the client: the first answer is sent, later ones are dropped. */
    private final class ClientAck implements Ack {

        private final long ackId;
        private final AtomicBoolean sent = new AtomicBoolean();

        ClientAck(long ackId) {
            this.ackId = ackId;
        }

        @Override
        public void send(Object... args) {
            if (sent.compareAndSet(false, true)) {
                JsonArray answer = new JsonArray();
                for (Object arg : args) {
                    answer.add(arg);
                }
                client.send(new SocketPacket(SocketPacket.ACK, namespace.name(), ackId, answer));
            }
        }

        @Override
        public boolean requested() {
            return true;
        }
    }
}

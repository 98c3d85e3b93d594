package dev.flotilla.realtime;

import dev.flotilla.realtime.adapter.LocalAdapter;
import dev.flotilla.realtime.adapter.Members;
import dev.flotilla.realtime.engine.EngineSession;
import dev.flotilla.realtime.protocol.EncodedPacket;
import dev.flotilla.realtime.protocol.SocketPacket;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Socket.IO namespace ({@code /} or one the server created with {@link RealtimeServer#of}): its middleware,
 * its connection handlers, its sockets on this instance, and broadcasts to its rooms on every instance.
 */
public final class Namespace {

    private static final Logger LOG = LoggerFactory.getLogger(Namespace.class);
    private static final Set<String> RESERVED = Set.of("connect", "connect_error", "disconnect", "disconnecting",
            "newListener", "removeListener");

    private final String name;
    private final RealtimeServer server;
    private final Map<String, Socket> sockets = new ConcurrentHashMap<>();
    private final List<Middleware> middlewares = new CopyOnWriteArrayList<>();
    private final List<Consumer<Socket>> connectionHandlers = new CopyOnWriteArrayList<>();
    private final Map<String, BiConsumer<JsonArray, Consumer<Object>>> serverSideHandlers = new ConcurrentHashMap<>();
    private final Members members = new NamespaceMembers();
    private volatile LocalAdapter adapter;

    Namespace(String name, RealtimeServer server) {
        this.name = name;
        this.server = server;
    }

    public String name() {
        return name;
    }

    /** Adds a handler for each new socket (Socket.IO's {@code on("connection")}). */
    public Namespace onConnection(Consumer<Socket> handler) {
        connectionHandlers.add(handler);
        return this;
    }

    /** Adds a check run before a socket joins; see {@link Middleware}. */
    public Namespace use(Middleware middleware) {
        middlewares.add(middleware);
        return this;
    }

    /** Handles an event another instance sent with {@code serverSideEmit}; {@code ack} is null when none. */
    public Namespace onServerSideEmit(String event, BiConsumer<JsonArray, Consumer<Object>> handler) {
        serverSideHandlers.put(event, handler);
        return this;
    }

    /** This instance's sockets in the namespace, by id. */
    public Map<String, Socket> sockets() {
        return Map.copyOf(sockets);
    }

    public Broadcast to(String... rooms) {
        return all().to(rooms);
    }

    public Broadcast in(String... rooms) {
        return to(rooms);
    }

    public Broadcast except(String... rooms) {
        return all().except(rooms);
    }

    public Broadcast local() {
        return all().local();
    }

    /** Sends an event to every socket of the namespace, on every instance. */
    public void emit(String event, Object... args) {
        all().emit(event, args);
    }

    public Future<ClusterReply<RemoteSocket>> fetchSockets() {
        return all().fetchSockets();
    }

    /** Sends an event to the other instances' {@link #onServerSideEmit} handlers. */
    public void serverSideEmit(String event, Object... args) {
        adapter().serverSideEmit(eventData(event, args));
    }

    /** Sends an event to the other instances and gathers one answer from each, within the request timeout. */
    public Future<ClusterReply<Object>> serverSideEmitWithAck(String event, Object... args) {
        return adapter().serverSideEmitWithAck(eventData(event, args));
    }

    private Broadcast all() {
        return new Broadcast(this, Set.of(), Set.of(), false, false);
    }

    LocalAdapter adapter() {
        LocalAdapter current = adapter;
        if (current == null) {
            throw new IllegalStateException("the realtime server is not started: mount it in a service first");
        }
        return current;
    }

    Members members() {
        return members;
    }

    void adapter(LocalAdapter adapter) {
        this.adapter = adapter;
    }

    RealtimeServer server() {
        return server;
    }

    static JsonArray eventData(String event, Object... args) {
        if (event == null || RESERVED.contains(event)) {
            throw new IllegalArgumentException("'" + event + "' is a reserved event name");
        }
        JsonArray data = new JsonArray().add(event);
        for (Object arg : args) {
            data.add(arg);
        }
        return data;
    }

    // --- connections, on the client's thread

    /** A client asks to join: recovery, then the middleware, then the socket is connected. */
    void connect(Client client, JsonObject auth) {
        RealtimeOptions options = server.options();
        Future<LocalAdapter.RestoredSession> restoring = Future.succeededFuture();
        if (options.recovery() && auth.getValue("pid") instanceof String pid
                && auth.getValue("offset") instanceof String offset) {
            restoring = adapter().restoreSession(pid, offset);
        }
        restoring.otherwiseEmpty().onComplete(restored -> client.session().execute(() -> {
            Socket socket = new Socket(this, client, auth, restored.result());
            runMiddlewares(socket, 0).onComplete(checked -> client.session().execute(() -> {
                if (client.closed()) {
                    return;
                }
                if (checked.failed()) {
                    Throwable cause = checked.cause();
                    JsonObject error = new JsonObject().put("message", cause.getMessage() == null
                            ? cause.getClass().getSimpleName() : cause.getMessage());
                    if (cause instanceof ConnectionRefused refused && refused.data() != null) {
                        error.put("data", refused.data());
                    }
                    client.send(SocketPacket.of(SocketPacket.CONNECT_ERROR, name, error));
                    return;
                }
                sockets.put(socket.id(), socket);
                client.add(socket);
                socket.connected(restored.result());
                for (Consumer<Socket> handler : connectionHandlers) {
                    try {
                        handler.accept(socket);
                    } catch (RuntimeException e) {
                        LOG.error("realtime {}: a connection handler failed", name, e);
                    }
                }
            }));
        }));
    }

    private Future<Void> runMiddlewares(Socket socket, int index) {
        if (index == middlewares.size()) {
            return Future.succeededFuture();
        }
        Future<Void> checked;
        try {
            checked = middlewares.get(index).check(socket);
        } catch (RuntimeException e) {
            checked = Future.failedFuture(e);
        }
        return checked.compose(v -> runMiddlewares(socket, index + 1));
    }

    void remove(Socket socket) {
        sockets.remove(socket.id(), socket);
    }

    /** How the adapter reaches this namespace's sockets on this instance. */
    private final class NamespaceMembers implements Members {

        @Override
        public String namespace() {
            return name;
        }

        @Override
        public void deliver(List<String> sids, EncodedPacket packet) {
            List<EngineSession> sessions = new ArrayList<>(sids.size());
            for (String sid : sids) {
                Socket socket = sockets.get(sid);
                if (socket != null) {
                    sessions.add(socket.client().session());
                }
            }
            EngineSession.sendToAll(sessions, packet.text(), packet.attachments());
        }

        @Override
        public JsonObject describe(String sid) {
            Socket socket = sockets.get(sid);
            return socket == null ? null : new RemoteSocket(socket.id(), socket.rooms(), socket.data(),
                    socket.handshakeJson()).toJson();
        }

        @Override
        public void disconnect(String sid, boolean close) {
            Socket socket = sockets.get(sid);
            if (socket != null) {
                socket.disconnect(close);
            }
        }

        @Override
        public void serverSideEmit(JsonArray args, Consumer<Object> ack) {
            if (args.isEmpty()) {
                return;
            }
            BiConsumer<JsonArray, Consumer<Object>> handler = serverSideHandlers.get(String.valueOf(args.getValue(0)));
            if (handler != null) {
                try {
                    handler.accept(new JsonArray(args.getList().subList(1, args.size())), ack);
                } catch (RuntimeException e) {
                    LOG.error("realtime {}: a server-side event handler failed", name, e);
                }
            }
        }
    }
}

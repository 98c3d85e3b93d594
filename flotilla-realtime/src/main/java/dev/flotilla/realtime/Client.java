package dev.flotilla.realtime;

import dev.flotilla.realtime.engine.EngineListener;
import dev.flotilla.realtime.engine.EngineSession;
import dev.flotilla.realtime.protocol.EncodedPacket;
import dev.flotilla.realtime.protocol.PacketCodec;
import dev.flotilla.realtime.protocol.SocketPacket;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO connection seen by Socket.IO: it decodes the client's packets, joins namespaces and hands
 * each packet to the namespace's socket. Runs on the connection's thread.
 */
final class Client implements EngineListener {

    private static final Logger LOG = LoggerFactory.getLogger(Client.class);

    private final RealtimeServer server;
    private final EngineSession session;
    private final PacketCodec.Decoder decoder = new PacketCodec.Decoder();
    private final Map<String, Socket> sockets = new HashMap<>();
    private final long connectTimer;
    private boolean closed;

    Client(RealtimeServer server, EngineSession session) {
        this.server = server;
        this.session = session;
        session.listener(this);
        // A connection that joins no namespace in time is closed: it only holds resources.
        this.connectTimer = server.vertx().setTimer(server.options().connectTimeout().toMillis(),
                t -> session.execute(() -> {
                    if (sockets.isEmpty() && !closed) {
                        session.fail("connect timeout");
                    }
                }));
    }

    EngineSession session() {
        return session;
    }

    boolean closed() {
        return closed;
    }

    void send(SocketPacket packet) {
        send(PacketCodec.encode(packet));
    }

    void send(EncodedPacket packet) {
        session.sendAll(packet.text(), packet.attachments());
    }

    void add(Socket socket) {
        sockets.put(socket.namespace().name(), socket);
        server.vertx().cancelTimer(connectTimer);
    }

    void remove(Socket socket) {
        sockets.remove(socket.namespace().name(), socket);
    }

    @Override
    public void onText(String text) {
        SocketPacket packet;
        try {
            packet = decoder.text(text);
        } catch (RuntimeException e) {
            protocolError(e.getMessage());
            return;
        }
        if (packet != null) {
            dispatch(packet);
        }
    }

    @Override
    public void onBinary(Buffer data) {
        SocketPacket packet;
        try {
            packet = decoder.binary(data);
        } catch (RuntimeException e) {
            protocolError(e.getMessage());
            return;
        }
        if (packet != null) {
            dispatch(packet);
        }
    }

    private void dispatch(SocketPacket packet) {
        if (packet.type() == SocketPacket.CONNECT) {
            Namespace namespace = server.namespace(packet.nsp());
            if (namespace == null) {
                send(SocketPacket.of(SocketPacket.CONNECT_ERROR, packet.nsp(),
                        new JsonObject().put("message", "Invalid namespace")));
            } else if (!sockets.containsKey(packet.nsp())) {
                namespace.connect(this, packet.data() == null ? new JsonObject() : (JsonObject) packet.data());
            }
            return;
        }
        Socket socket = sockets.get(packet.nsp());
        if (socket != null) {
            socket.onPacket(packet);
        }
        // a packet for a namespace the client has not joined (or has just left) is dropped, as Socket.IO does
    }

    /** A malformed packet closes this connection, and nothing else. */
    void protocolError(String what) {
        LOG.debug("realtime: closing connection {}: {}", session.id(), what);
        session.fail("parse error");
    }

    @Override
    public void onClose(String reason) {
        closed = true;
        server.vertx().cancelTimer(connectTimer);
        String socketReason = server.closing() ? "server shutting down" : reason;
        for (Socket socket : new ArrayList<>(sockets.values())) {
            socket.closed(socketReason);
        }
        sockets.clear();
    }
}

package dev.flotilla.realtime.engine;

import dev.flotilla.realtime.RealtimeOptions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Engine.IO v4 connection: its transport (long-polling, then perhaps WebSocket), its heartbeat, and the
 * packets waiting for a long-polling client. Everything runs on the thread of the event loop that accepted
 * the handshake; requests and frames that arrive on another event loop are handed over to it, so the state
 * here needs no locks. {@link #sendAll}, {@link #sendToAll}, {@link #fail}, {@link #close} and
 * {@link #execute} may be called from any thread.
 */
public final class EngineSession {

    /** Separates the packets of one long-polling payload (Engine.IO v4). */
    static final char SEPARATOR = '\u001e';
    private static final EngineListener NO_LISTENER = new EngineListener() {
        @Override
        public void onText(String text) {
        }

        @Override
        public void onBinary(Buffer data) {
        }

        @Override
        public void onClose(String reason) {
        }
    };

    private final String id;
    private final EngineServer server;
    private final Vertx vertx;
    private final Context context;
    private final Thread thread;
    private final RealtimeOptions options;
    private final Handshake handshake;
    private EngineListener listener = NO_LISTENER;

    private boolean websocket;
    private ServerWebSocket ws;
    private HttpServerResponse poll;
    /** Packets for a long-polling client: a String is a whole text packet ("4..."), a Buffer a binary message. */
    private final ArrayDeque<Object> buffer = new ArrayDeque<>();
    private boolean flushScheduled;
    private ServerWebSocket probe;
    private boolean upgrading;
    private long upgradeTimer = -1;
    private long pingTimer = -1;
    private long pongTimer = -1;
    private boolean closed;
    /** Closed by the server with packets still to deliver: the next poll gets them and a close packet. */
    private boolean closeOnNextPoll;
    private long rateWindowStart;
    private int packetsInWindow;

    EngineSession(String id, EngineServer server, Vertx vertx, RealtimeOptions options, Handshake handshake) {
        this.id = id;
        this.server = server;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.thread = Thread.currentThread();
        this.options = options;
        this.handshake = handshake;
    }

    public String id() {
        return id;
    }

    public Handshake handshake() {
        return handshake;
    }

    /** "polling" or "websocket". */
    public String transport() {
        return websocket ? "websocket" : "polling";
    }

    /** Sets who hears this session's messages; call it from the server's connection handler. */
    public void listener(EngineListener listener) {
        this.listener = listener;
    }

    /** Runs {@code task} on this session's thread: at once when already there. */
    public void execute(Runnable task) {
        if (Thread.currentThread() == thread) {
            task.run();
        } else {
            context.runOnContext(v -> task.run());
        }
    }

    /** Sends text messages and binary ones in this order (a Socket.IO packet and its attachments). */
    public void sendAll(String text, List<Buffer> attachments) {
        String packet = "4" + text;
        execute(() -> {
            write(packet);
            for (Buffer attachment : attachments) {
                write(attachment);
            }
        });
    }

    /**
     * Sends one message (text, then binary attachments) to many sessions: the text is prefixed once, and each
     * event loop gets one task for all of its sessions rather than one per session (the costly part of a
     * broadcast is waking the other event loops).
     */
    public static void sendToAll(List<EngineSession> sessions, String text, List<Buffer> attachments) {
        String packet = "4" + text;
        Map<Thread, List<EngineSession>> byLoop = new HashMap<>(4);
        for (EngineSession session : sessions) {
            byLoop.computeIfAbsent(session.thread, t -> new ArrayList<>()).add(session);
        }
        Thread current = Thread.currentThread();
        for (List<EngineSession> loop : byLoop.values()) {
            Runnable writes = () -> {
                for (EngineSession session : loop) {
                    session.write(packet);
                    for (Buffer attachment : attachments) {
                        session.write(attachment);
                    }
                }
            };
            if (loop.get(0).thread == current) {
                writes.run();
            } else {
                loop.get(0).context.runOnContext(v -> writes.run());
            }
        }
    }

    /** Closes the session at once, for {@code reason} (a protocol error, a limit). */
    public void fail(String reason) {
        execute(() -> close(reason, false));
    }

    /** Closes the session once the packets already sent have left ("forced close" for the layer above). */
    public void close() {
        execute(() -> close("forced close", true));
    }

    // --- on the session's thread from here on

    void open(boolean viaWebSocket) {
        JsonObject open = new JsonObject().put("sid", id)
                .put("upgrades", viaWebSocket ? new JsonArray() : new JsonArray().add("websocket"))
                .put("pingInterval", options.pingInterval().toMillis())
                .put("pingTimeout", options.pingTimeout().toMillis())
                .put("maxPayload", options.maxPayload());
        write("0" + open.encode());
        schedulePing();
    }

    void useWebSocket(ServerWebSocket socket) {
        websocket = true;
        ws = socket;
        bind(socket);
    }

    private void write(Object packet) {
        if (closed) {
            return;
        }
        if (websocket) {
            writeTo(ws, packet);
            return;
        }
        buffer.add(packet);
        if (buffer.size() > options.maxBufferedPackets()) {
            buffer.clear();
            close("too many buffered packets", false);
            return;
        }
        if (poll != null && !flushScheduled) {
            // Packets sent in the same turn of the event loop leave in one answer.
            flushScheduled = true;
            context.runOnContext(v -> flushPoll());
        }
    }

    private static void writeTo(ServerWebSocket socket, Object packet) {
        if (packet instanceof String text) {
            socket.writeTextMessage(text);
        } else {
            socket.writeBinaryMessage((Buffer) packet);
        }
    }

    private void flushPoll() {
        flushScheduled = false;
        if (poll == null || (buffer.isEmpty() && !closeOnNextPoll && !upgrading)) {
            return;
        }
        HttpServerResponse response = poll;
        poll = null;
        StringBuilder payload = new StringBuilder();
        if (buffer.isEmpty() && !closeOnNextPoll) {
            payload.append('6'); // a noop ends the client's poll so that it can finish its upgrade
        }
        while (!buffer.isEmpty()) {
            if (!payload.isEmpty()) {
                payload.append(SEPARATOR);
            }
            Object packet = buffer.poll();
            if (packet instanceof String text) {
                payload.append(text);
            } else {
                payload.append('b').append(Base64.getEncoder().encodeToString(((Buffer) packet).getBytes()));
            }
        }
        if (closeOnNextPoll) {
            if (!payload.isEmpty()) {
                payload.append(SEPARATOR);
            }
            payload.append('1');
            server.remove(this);
        }
        response.putHeader("Content-Type", "text/plain; charset=UTF-8").end(payload.toString());
    }

    void onGet(HttpServerResponse response) {
        if (closed && !closeOnNextPoll) {
            EngineError.UNKNOWN_SID.send(response, "the session is closed");
            return;
        }
        if (websocket) {
            EngineError.BAD_REQUEST.send(response, "this session uses a WebSocket now, not long-polling");
            return;
        }
        if (poll != null) {
            EngineError.BAD_REQUEST.send(response, "a poll of this session is already waiting (duplicate poll)");
            close("transport error", false);
            return;
        }
        poll = response;
        response.closeHandler(v -> execute(() -> {
            if (poll == response) {
                poll = null;
                close("transport close", false);
            }
        }));
        if (!buffer.isEmpty() || closeOnNextPoll || upgrading) {
            flushPoll();
        }
    }

    void onPost(HttpServerResponse response, Buffer body) {
        if (closed) {
            EngineError.UNKNOWN_SID.send(response, "the session is closed");
            return;
        }
        if (websocket) {
            EngineError.BAD_REQUEST.send(response, "this session uses a WebSocket now, not long-polling");
            return;
        }
        if (body.length() > options.maxPayload()) {
            EngineError.BAD_REQUEST.send(response, 413, "the payload has " + body.length()
                    + " bytes, more than the limit of " + options.maxPayload());
            close("payload too large", false);
            return;
        }
        response.putHeader("Content-Type", "text/html").end("ok");
        String payload = body.toString();
        int start = 0;
        while (start <= payload.length() && !closed) {
            int end = payload.indexOf(SEPARATOR, start);
            String packet = payload.substring(start, end < 0 ? payload.length() : end);
            if (packet.startsWith("b")) {
                byte[] data;
                try {
                    // The MIME decoder skips line breaks, as Node's does: the Java client ends its base64 with one.
                    data = Base64.getMimeDecoder().decode(packet.substring(1));
                } catch (IllegalArgumentException e) {
                    close("parse error", false);
                    return;
                }
                receiveBinary(Buffer.buffer(data));
            } else {
                receive(packet);
            }
            if (end < 0) {
                break;
            }
            start = end + 1;
        }
    }

    void onUpgrade(ServerWebSocket socket) {
        if (closed || websocket || probe != null) {
            socket.close((short) 1008, "no upgrade possible for this session");
            return;
        }
        probe = socket;
        bind(socket);
        upgradeTimer = vertx.setTimer(options.upgradeTimeout().toMillis(), t -> execute(() -> {
            if (probe == socket) {
                abortUpgrade();
            }
        }));
    }

    private void abortUpgrade() {
        ServerWebSocket socket = probe;
        probe = null;
        upgrading = false;
        vertx.cancelTimer(upgradeTimer);
        if (socket != null) {
            socket.close();
        }
    }

    private void bind(ServerWebSocket socket) {
        socket.textMessageHandler(text -> execute(() -> {
            if (text.length() > options.maxPayload()) {
                close("payload too large", false);
            } else if (socket == ws) {
                receive(text);
            } else if (socket == probe) {
                probeText(text);
            }
        }));
        socket.binaryMessageHandler(data -> execute(() -> {
            if (data.length() > options.maxPayload()) {
                close("payload too large", false);
            } else if (socket == ws) {
                receiveBinary(data);
            }
        }));
        socket.exceptionHandler(e -> execute(() -> {
            if (socket == ws) {
                close(e.getMessage() != null && e.getMessage().contains("too big") ? "payload too large"
                        : "transport error", false);
            }
        }));
        socket.closeHandler(v -> execute(() -> {
            if (socket == ws) {
                close("transport close", false);
            } else if (socket == probe) {
                abortUpgrade();
            }
        }));
    }

    private void probeText(String text) {
        if (text.equals("2probe")) {
            probe.writeTextMessage("3probe");
            upgrading = true;
            flushPoll();
        } else if (text.equals("5") && upgrading) {
            vertx.cancelTimer(upgradeTimer);
            ServerWebSocket socket = probe;
            probe = null;
            upgrading = false;
            if (poll != null) {
                HttpServerResponse pending = poll;
                poll = null;
                pending.putHeader("Content-Type", "text/plain; charset=UTF-8").end("6");
            }
            websocket = true;
            ws = socket;
            while (!buffer.isEmpty()) {
                writeTo(ws, buffer.poll());
            }
            if (closeOnNextPoll) {
                closeOnNextPoll = false;
                server.remove(this);
                ws.close();
            }
        } else {
            abortUpgrade();
        }
    }

    private void receive(String packet) {
        if (packet.isEmpty()) {
            close("parse error", false);
            return;
        }
        switch (packet.charAt(0)) {
            case '4' -> {
                if (counted()) {
                    listener.onText(packet.substring(1));
                }
            }
            case '3' -> {
                vertx.cancelTimer(pongTimer);
                pongTimer = -1;
                schedulePing();
            }
            case '1' -> close("transport close", false);
            case '2', '6' -> {
                // v4 clients do not ping; a noop carries nothing
            }
            default -> close("parse error", false);
        }
    }

    private void receiveBinary(Buffer data) {
        if (counted()) {
            listener.onBinary(data);
        }
    }

    /** Counts a message against the per-second limit; false (and closed) when it is over. */
    private boolean counted() {
        long now = System.nanoTime();
        if (now - rateWindowStart > 1_000_000_000L) {
            rateWindowStart = now;
            packetsInWindow = 0;
        }
        if (++packetsInWindow > options.maxPacketsPerSecond()) {
            close("packet rate exceeded", false);
            return false;
        }
        return !closed;
    }

    private void schedulePing() {
        if (closed) {
            return;
        }
        vertx.cancelTimer(pingTimer);
        pingTimer = vertx.setTimer(options.pingInterval().toMillis(), t -> execute(() -> {
            write("2");
            if (pongTimer < 0) {
                pongTimer = vertx.setTimer(options.pingTimeout().toMillis(),
                        t2 -> execute(() -> close("ping timeout", false)));
            }
        }));
    }

    /**
     * Ends the session. With {@code flush}, packets already sent still reach the client: on a WebSocket they
     * are written before the close frame; a long-polling client gets them, then a close packet, on its next
     * poll (or its waiting one).
     */
    void close(String reason, boolean flush) {
        if (closed) {
            return;
        }
        closed = true;
        vertx.cancelTimer(pingTimer);
        vertx.cancelTimer(pongTimer);
        if (probe != null) {
            abortUpgrade();
        }
        if (websocket) {
            server.remove(this);
            ws.close();
        } else if (flush) {
            closeOnNextPoll = true;
            if (poll != null) {
                flushPoll();
            } else {
                // The client's next poll collects them; a client that never comes back is forgotten.
                vertx.setTimer(options.pingTimeout().toMillis(), t -> execute(() -> server.remove(this)));
            }
        } else {
            server.remove(this);
            buffer.clear();
            if (poll != null) {
                HttpServerResponse pending = poll;
                poll = null;
                pending.putHeader("Content-Type", "text/plain; charset=UTF-8").end("1");
            }
        }
        listener.onClose(reason);
    }
}

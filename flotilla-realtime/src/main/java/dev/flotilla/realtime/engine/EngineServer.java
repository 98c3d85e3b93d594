package dev.flotilla.realtime.engine;

import dev.flotilla.realtime.RealtimeOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The Engine.IO v4 server: handshakes, long-polling requests and WebSocket upgrades on one path of the
 * service's HTTP server, as the protocol document (socketio/engine.io-protocol, v4) describes them.
 *
 * <p>Written by hand on Vert.x: no Java library serves Engine.IO v4 on a Vert.x server (netty-socketio runs
 * its own Netty server, on Netty 4.1, and its v4 support has open bugs; the servlet one needs a servlet
 * container), and the service's own port, router, metrics and shutdown are what a user expects to keep.
 */
public final class EngineServer {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Vertx vertx;
    private final RealtimeOptions options;
    private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final Consumer<EngineSession> onConnection;

    public EngineServer(Vertx vertx, RealtimeOptions options, Consumer<EngineSession> onConnection) {
        this.vertx = vertx;
        this.options = options;
        this.onConnection = onConnection;
    }

    /** Open sessions on this instance. */
    public int size() {
        return sessions.size();
    }

    /** Closes every session (their clients see the connection end and reconnect elsewhere). */
    public void closeAll() {
        new ArrayList<>(sessions.values()).forEach(EngineSession::close);
    }

    void remove(EngineSession session) {
        sessions.remove(session.id(), session);
    }

    /** Handles one request under the server's path. */
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        String origin = request.getHeader("Origin");
        if (origin != null && !originAllowed(origin, request)) {
            EngineError.FORBIDDEN.send(response, "origin '" + origin + "' is not allowed to connect");
            return;
        }
        if (origin != null && !sameOrigin(origin, request)) {
            response.putHeader("Access-Control-Allow-Origin", origin)
                    .putHeader("Access-Control-Allow-Credentials", "true")
                    .putHeader("Vary", "Origin");
        }
        if (request.method() == HttpMethod.OPTIONS) {
            response.setStatusCode(204).putHeader("Access-Control-Allow-Methods", "GET, POST")
                    .putHeader("Access-Control-Allow-Headers", "content-type").end();
            return;
        }
        if (!"4".equals(request.getParam("EIO"))) {
            EngineError.UNSUPPORTED_PROTOCOL_VERSION.send(response,
                    "EIO=" + request.getParam("EIO") + " (this server speaks Engine.IO 4: EIO=4)");
            return;
        }
        String transport = request.getParam("transport");
        boolean viaWebSocket = "websocket".equals(transport);
        if (!viaWebSocket && !"polling".equals(transport)) {
            EngineError.UNKNOWN_TRANSPORT.send(response,
                    "transport=" + transport + " (expected polling or websocket)");
            return;
        }
        if (viaWebSocket && !"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            EngineError.BAD_REQUEST.send(response, "transport=websocket needs a WebSocket upgrade request");
            return;
        }
        String sid = request.getParam("sid");
        if (sid == null) {
            handshake(ctx, viaWebSocket);
            return;
        }
        EngineSession session = sessions.get(sid);
        if (session == null) {
            EngineError.UNKNOWN_SID.send(response, "no session " + sid + " on this instance");
            return;
        }
        if (viaWebSocket) {
            request.toWebSocket().onSuccess(ws -> session.execute(() -> session.onUpgrade(ws)));
        } else if (request.method() == HttpMethod.GET) {
            session.execute(() -> session.onGet(response));
        } else if (request.method() == HttpMethod.POST) {
            Buffer body = ctx.body().buffer();
            session.execute(() -> session.onPost(response,
                    body == null ? Buffer.buffer() : body));
        } else {
            EngineError.BAD_REQUEST.send(response, request.method() + " (long-polling uses GET and POST)");
        }
    }

    private void handshake(RoutingContext ctx, boolean viaWebSocket) {
        HttpServerRequest request = ctx.request();
        if (request.method() != HttpMethod.GET) {
            EngineError.BAD_HANDSHAKE_METHOD.send(ctx.response(), request.method() + " (a handshake is a GET)");
            return;
        }
        if (sessions.size() >= options.maxSockets()) {
            EngineError.BAD_REQUEST.send(ctx.response(), 503,
                    "this instance holds " + options.maxSockets() + " connections, its limit");
            return;
        }
        Handshake handshake = Handshake.of(request);
        if (viaWebSocket) {
            request.toWebSocket().onSuccess(ws -> {
                EngineSession session = newSession(handshake);
                session.useWebSocket(ws);
                session.open(true);
                onConnection.accept(session);
            });
            return;
        }
        EngineSession session = newSession(handshake);
        session.open(false);
        session.onGet(ctx.response());
        onConnection.accept(session);
    }

    private EngineSession newSession(Handshake handshake) {
        EngineSession session = new EngineSession(newId(), this, vertx, options, handshake);
        sessions.put(session.id(), session);
        return session;
    }

    /** 120 random bits, URL-safe: ids are sent back in query strings. */
    public static String newId() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private boolean originAllowed(String origin, HttpServerRequest request) {
        List<String> allowed = options.allowedOrigins();
        return allowed.contains("*") || allowed.contains(origin) || sameOrigin(origin, request);
    }

    /** Whether the page's origin is the host the request was sent to (directly, or through the gateway). */
    private static boolean sameOrigin(String origin, HttpServerRequest request) {
        String originHost;
        try {
            URI uri = URI.create(origin);
            if (uri.getHost() == null) {
                return false;
            }
            originHost = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        } catch (IllegalArgumentException e) {
            return false;
        }
        originHost = originHost.toLowerCase(Locale.ROOT);
        String forwarded = request.getHeader("X-Forwarded-Host");
        if (forwarded != null && forwarded.toLowerCase(Locale.ROOT).equals(originHost)) {
            return true;
        }
        String host = request.authority() == null ? null : request.authority().toString();
        return host != null && host.toLowerCase(Locale.ROOT).equals(originHost);
    }
}

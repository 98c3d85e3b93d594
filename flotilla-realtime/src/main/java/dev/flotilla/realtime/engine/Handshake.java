package dev.flotilla.realtime.engine;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;

/**
 * The HTTP request that opened a connection, kept for the server's handlers (Socket.IO's
 * {@code socket.handshake}): headers, query, the client's address, when it came.
 */
public record Handshake(MultiMap headers, MultiMap query, String address, String url, boolean secure,
        Instant time) {

    static Handshake of(HttpServerRequest request) {
        // The request's own maps, not copies: Vert.x keeps the request of a WebSocket as long as it lives.
        MultiMap headers = request.headers();
        MultiMap query = request.params();
        String address = request.remoteAddress() == null ? "" : request.remoteAddress().hostAddress();
        String forwardedFor = request.getHeader("X-Forwarded-For");
        if (forwardedFor != null && !forwardedFor.isBlank()) {
            address = forwardedFor.split(",")[0].trim(); // the client, as the gateway saw it
        }
        boolean secure = request.isSSL() || "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto"));
        return new Handshake(headers, query, address, request.uri(), secure, Instant.now());
    }

    /** The shape {@code socket.handshake} has in Node (auth is added by the Socket.IO layer). */
    public JsonObject toJson() {
        JsonObject headerJson = new JsonObject();
        headers.forEach(e -> headerJson.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        JsonObject queryJson = new JsonObject();
        query.forEach(e -> queryJson.put(e.getKey(), e.getValue()));
        return new JsonObject().put("headers", headerJson).put("query", queryJson).put("address", address)
                .put("url", url).put("secure", secure).put("time", time.toString())
                .put("issued", time.toEpochMilli()).put("xdomain", headers.contains("Origin"));
    }
}

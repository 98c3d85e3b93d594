package dev.flotilla.gateway.impl;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections whose client takes too long to send a request's headers (slowloris), counting from
 * when the connection opened or its previous response ended. An idle keep-alive connection is closed
 * after the same time, as nginx does with {@code client_header_timeout} and {@code keepalive_timeout}.
 *
 * <p>Hand-written: Vert.x's idle timeout resets on every byte, so a client that sends one header byte
 * every few seconds would never trip it. One sweep per quarter of the timeout checks every waiting
 * connection, rather than a timer per request. Confined to one event loop (one per server verticle).
 */
final class SlowClientGuard {

    private final long timeoutNanos;
    /** Connections waiting for a request's headers, with the time they started waiting. */
    private final Map<HttpConnection, Long> waiting = new HashMap<>();

    SlowClientGuard(Vertx vertx, long timeoutMs) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        vertx.setPeriodic(Math.max(50, timeoutMs / 4), id -> sweep());
    }

    void connected(HttpConnection connection) {
        waiting.put(connection, System.nanoTime());
        connection.closeHandler(v -> waiting.remove(connection));
    }

    /** The request's headers are in: stop the clock until its response has been sent. */
    void headersReceived(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        waiting.remove(connection);
        request.response().endHandler(v -> waiting.put(connection, System.nanoTime()));
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<HttpConnection, Long>> it = waiting.entrySet().iterator(); it.hasNext();) {
            Map.Entry<HttpConnection, Long> entry = it.next();
            if (now - entry.getValue() > timeoutNanos) {
                it.remove();
                entry.getKey().shutdown(0, TimeUnit.SECONDS);
            }
        }
    }
}

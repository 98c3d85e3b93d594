package dev.flotilla.gateway.impl;

import dev.flotilla.core.resilience.ResilientCaller;
import dev.flotilla.core.resilience.UpstreamFailure;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;
import java.util.Locale;

/**
 * A WebSocket (HTTP/1.1 Upgrade) through the gateway: the handshake is forwarded through the route's
 * resilient caller (connect failures are retried elsewhere; nothing else is, since an upgrade is not
 * idempotent), then bytes flow both ways until either side closes.
 */
final class WebSocketTunnel {

    private final Forwarder forwarder;

    WebSocketTunnel(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    static boolean isUpgrade(HttpServerRequest request) {
        String connection = request.getHeader(HttpHeaders.CONNECTION);
        return request.method() == HttpMethod.GET
                && "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))
                && connection != null && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }

    void open(Exchange exchange) {
        HttpServerRequest request = exchange.request;
        CompiledRoute route = exchange.route;
        ResilientCaller.Call call = new ResilientCaller.Call(route.strategy, route.hashKey(request), false,
                route.retries, exchange.stickyToken);
        route.caller.call(call, endpoint -> forwarder.open(exchange, HttpMethod.GET, endpoint).compose(upstream -> {
            upstream.headers().set(HttpHeaders.CONNECTION, "Upgrade");
            upstream.headers().set(HttpHeaders.UPGRADE, request.getHeader(HttpHeaders.UPGRADE));
            return upstream.connect();
        }), HttpClientResponse::statusCode).onComplete(ar -> {
            if (ar.failed()) {
                forwarder.failed(exchange, UpstreamFailure.of(ar.cause()));
                return;
            }
            HttpClientResponse upstream = ar.result().result();
            if (upstream.statusCode() != 101) {
                // The connection was made for this upgrade alone and never returns to the pool.
                HttpConnection connection = upstream.request().connection();
                forwarder.respond(exchange, ar.result());
                upstream.end().onComplete(done -> connection.close());
                return;
            }
            HttpServerResponse response = request.response();
            response.setStatusCode(101);
            response.headers().addAll(upstream.headers());
            route.stick(exchange.stickyToken, response.headers(), ar.result().endpoint());
            NetSocket upstreamSocket = upstream.netSocket();
            request.toNetSocket().onComplete(sar -> {
                if (sar.failed()) {
                    upstreamSocket.close();
                    return;
                }
                NetSocket clientSocket = sar.result();
                clientSocket.pipeTo(upstreamSocket);
                upstreamSocket.pipeTo(clientSocket);
                route.metrics.record(101, exchange.elapsedNanos(), ar.result().attempts());
            });
        });
    }
}

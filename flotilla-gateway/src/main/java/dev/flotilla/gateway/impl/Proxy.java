package dev.flotilla.gateway.impl;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * The gateway's request handler: a request is {@linkplain Admission admitted}, then forwarded by the
 * {@link Forwarder}, or tunnelled when it is a WebSocket upgrade. One per event loop.
 */
final class Proxy implements Handler<HttpServerRequest> {

    private final ClientConnections connections;
    private final Admission admission;
    private final Forwarder forwarder;
    private final WebSocketTunnel tunnel;

    Proxy(ClientConnections connections, Admission admission, Forwarder forwarder) {
        this.connections = connections;
        this.admission = admission;
        this.forwarder = forwarder;
        this.tunnel = new WebSocketTunnel(forwarder);
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (!connections.requestStarted(request)) {
            return; // pipelined behind a request whose connection the gateway is closing
        }
        request.pause();
        admission.admit(request).onSuccess(exchange -> {
            if (exchange == null) {
                return; // answered
            }
            request.response().closeHandler(v -> {
                if (!request.response().ended()) {
                    exchange.clientFault("the client closed the connection before the answer was complete");
                }
            });
            if (WebSocketTunnel.isUpgrade(request)) {
                tunnel.open(exchange);
            } else {
                forwarder.forward(exchange);
            }
        });
    }
}

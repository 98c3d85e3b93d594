package dev.flotilla.gateway.impl;

import dev.flotilla.core.http.ErrorResponses;
import dev.flotilla.core.http.HttpFailure;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's client connections on one event loop, and the rules that belong to a connection rather
 * than a request:
 * <ul>
 * <li>every connection gets the {@link StrictRequestDecoder};</li>
 * <li>a client gets {@code headerTimeout} to send a request's headers, counted from when the connection
 *     opened or its previous response ended (slowloris; nginx's {@code client_header_timeout} and
 *     {@code keepalive_timeout}). A client cut in the middle of a request's head gets a 408; an idle
 *     keep-alive connection is closed silently, as a client reusing it may already be sending;</li>
 * <li>once the gateway decided to close a connection (a refusal whose body was not read), no request
 *     that follows on it reaches a service, even one already parsed and queued by pipelining.</li>
 * </ul>
 *
 * <p>Hand-written: Vert.x's idle timeout resets on every byte, so a client that sends one header byte
 * every few seconds would never trip it. A sweep every {@link #SWEEP_MS} checks the waiting connections
 * rather than a timer per request. The decoder is swapped in through Vert.x's internal connection type,
 * the one way to reach the Netty pipeline of a server connection. Confined to one event loop.
 */
final class ClientConnections {

    static final long SWEEP_MS = 250;

    private final long timeoutNanos;
    private final HttpServerOptions serverOptions;
    /** Every open connection, with when it started waiting for a request's headers (0: not waiting). */
    private final Map<HttpConnection, Tracked> open = new HashMap<>();

    private static final class Tracked {
        long waitingSince;
        boolean closing;
    }

    ClientConnections(Vertx vertx, long headerTimeoutMs, HttpServerOptions serverOptions) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMs);
        this.serverOptions = serverOptions;
        vertx.setPeriodic(Math.min(SWEEP_MS, Math.max(10, headerTimeoutMs / 10)), id -> sweep());
    }

    /** A new connection: strict decoding, and the header clock starts. */
    void opened(HttpConnection connection) {
        if (!(connection instanceof Http1xServerConnection)) {
            return; // HTTP/2 is framed by Netty's HTTP/2 codec, its limits set on the server (streams, headers, resets)
        }
        ChannelPipeline pipeline = ((HttpServerConnection) connection).channelHandlerContext().pipeline();
        pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(serverOptions));
        Tracked tracked = new Tracked();
        tracked.waitingSince = System.nanoTime();
        open.put(connection, tracked);
        connection.closeHandler(v -> open.remove(connection));
    }

    /**
     * A request's headers are in: stops the clock until its response has been sent. False when the
     * connection is closing: the request must be dropped, not served.
     */
    boolean requestStarted(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        Tracked tracked = open.get(connection);
        if (tracked == null) {
            return true; // not an HTTP/1 connection of ours (never, today)
        }
        if (tracked.closing) {
            connection.close();
            return false;
        }
        tracked.waitingSince = 0;
        request.response().endHandler(v -> tracked.waitingSince = System.nanoTime());
        return true;
    }

    /** The gateway will close this connection after the current response: nothing more is served on it. */
    void closing(HttpConnection connection) {
        Tracked tracked = open.get(connection);
        if (tracked != null) {
            tracked.closing = true;
        }
    }

    /**
     * Answers with the JSON error of docs/architecture.md. {@code close} closes the connection afterwards
     * (used when the request's framing is suspect or its body was not read, so nothing left on the wire is
     * taken for a next request) and marks it closing, so no request pipelined behind it is served.
     */
    void reject(HttpServerRequest request, HttpFailure failure, boolean close) {
        if (close) {
            closing(request.connection());
        }
        ErrorResponses.send(request, failure, close);
    }

    /** Writes out what is queued on the connection now, ahead of a close that Vert.x is about to make. */
    static void flush(HttpConnection connection) {
        ((HttpServerConnection) connection).channelHandlerContext().flush();
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<HttpConnection, Tracked>> it = open.entrySet().iterator(); it.hasNext();) {
            Map.Entry<HttpConnection, Tracked> entry = it.next();
            Tracked tracked = entry.getValue();
            if (tracked.waitingSince != 0 && now - tracked.waitingSince >= timeoutNanos) {
                it.remove();
                timedOut(entry.getKey());
            }
        }
    }

    private static void timedOut(HttpConnection connection) {
        ChannelPipeline pipeline = ((HttpServerConnection) connection).channelHandlerContext().pipeline();
        StrictRequestDecoder decoder = pipeline.get(StrictRequestDecoder.class);
        if (decoder == null || !decoder.holdsPartialRequest()) {
            connection.close();
            return;
        }
        // No request object exists yet (its head never finished), so the answer is written below Vert.x.
        byte[] body = new HttpFailure(408, "request_timeout", "the request headers did not arrive in time")
                .toJson().toBuffer().getBytes();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(body));
        response.headers().set("Content-Type", "application/json").set("Content-Length", body.length)
                .set("Connection", "close");
        pipeline.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}

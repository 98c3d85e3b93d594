package dev.flotilla.gateway.impl;

import dev.flotilla.core.resilience.UpstreamFailure;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/** One client request's state while the gateway admits and forwards it. Touched on its event loop only. */
final class Exchange {

    final HttpServerRequest request;
    final CompiledRoute route;
    /** The path and query sent upstream. */
    final String uri;
    final long started = System.nanoTime();
    /** The body's declared length, or -1 when chunked or absent. */
    final long length;
    final boolean hasBody;
    /** The instance token of the client's sticky cookie, read once: null when the route is not sticky. */
    final String stickyToken;
    HttpClientRequest upstreamRequest;
    long bodyBytes;
    long lastBodyNanos;
    boolean bodyDone;
    /** The upstream stopped taking the body (its write queue is full): a stall is then its fault. */
    boolean upstreamBlocked;
    /** Set when the client is at fault (hung up, stalled, bad body): what the attempt then fails with. */
    UpstreamFailure clientFault;
    /** The last attempt met a stale pooled connection: the next one opens a new connection. */
    boolean freshConnection;

    Exchange(HttpServerRequest request, CompiledRoute route, String uri, long length, boolean chunked) {
        this.request = request;
        this.route = route;
        this.uri = uri;
        this.length = length;
        this.hasBody = length > 0 || chunked
                || length < 0 && request.version() == HttpVersion.HTTP_2 && sendsContent(request.method());
        this.bodyDone = !hasBody;
        this.stickyToken = route.stickyToken(request);
    }

    /**
     * Whether a request of this method without a length carries a body anyway: under HTTP/2 a body needs no
     * length (its DATA frames end with the stream), and a request that may carry one is streamed upstream
     * chunked rather than sent without it.
     */
    private static boolean sendsContent(HttpMethod method) {
        return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
    }

    /**
     * The client is at fault: the attempt in progress is abandoned (its upstream connection closed, so the
     * instance stops working on it) and fails with a {@link UpstreamFailure.Kind#CLIENT} failure, which is
     * neither retried nor held against the instance.
     */
    void clientFault(String why) {
        if (clientFault == null) {
            clientFault = UpstreamFailure.client(why);
        }
        if (upstreamRequest != null) {
            upstreamRequest.reset(0, clientFault);
        }
    }

    /** The request's time in the gateway so far. */
    long elapsedNanos() {
        return System.nanoTime() - started;
    }
}

package dev.flotilla.gateway.impl;

import dev.flotilla.core.http.ErrorResponses;
import dev.flotilla.gateway.GatewayOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.core.http.PoolOptions;

/** One event loop's share of the gateway: a server on the shared port and its own upstream pools. */
public final class GatewayVerticle extends VerticleBase {

    private final GatewayState state;
    private final GatewayOptions options;
    private final int port;
    private HttpServer server;

    public GatewayVerticle(GatewayState state, GatewayOptions options, int port) {
        this.state = state;
        this.options = options;
        this.port = port;
    }

    @Override
    public Future<?> start() {
        HttpClientOptions clientOptions = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(options.getUpstreamKeepAliveSeconds())
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setVerifyHost(false)
                // The proxy writes traceparent itself, from the request's span: no span per attempt.
                .setTracingPolicy(TracingPolicy.IGNORE);
        HttpClient client = vertx.createHttpClient(clientOptions,
                new PoolOptions().setHttp1MaxSize(options.getMaxConnectionsPerInstance()).setMaxWaitQueueSize(10_000));
        HttpClient freshClient = vertx.createHttpClient(new HttpClientOptions(clientOptions).setKeepAlive(false),
                new PoolOptions().setHttp1MaxSize(options.getMaxConnectionsPerInstance()).setMaxWaitQueueSize(10_000));
        HttpServerOptions serverOptions = new HttpServerOptions()
                        .setHost(options.getHost())
                        .setPort(port)
                        .setMaxHeaderSize(options.getMaxHeaderBytes())
                        .setMaxInitialLineLength(options.getMaxRequestLineBytes())
                        .setTcpNoDelay(true)
                        // Without h2c, Vert.x sets a connection up at accept time rather than after the first
                        // request, so ClientConnections sees connections that never finish their headers.
                        .setHttp2ClearTextEnabled(false)
                        .setCompressionSupported(false)
                        .setHandle100ContinueAutomatically(false);
        ClientConnections connections = new ClientConnections(vertx, options.getHeaderTimeoutMs(), serverOptions);
        Proxy proxy = new Proxy(state, client, freshClient, vertx, connections, options.getBodyIdleTimeoutMs());
        server = vertx.createHttpServer(serverOptions)
                .connectionHandler(connections::opened)
                .requestHandler(proxy)
                .invalidRequestHandler(ErrorResponses::answerInvalid);
        return server.listen();
    }

    public int actualPort() {
        return server.actualPort();
    }
}

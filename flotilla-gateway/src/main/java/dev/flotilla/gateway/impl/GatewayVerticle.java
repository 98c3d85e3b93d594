package dev.flotilla.gateway.impl;

import dev.flotilla.core.http.ErrorResponses;
import dev.flotilla.core.trace.Tracing;
import dev.flotilla.gateway.GatewayOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.tracing.TracingPolicy;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's share of the gateway: a server on the shared plain port, one on the shared HTTPS port
 * when TLS is on, and its own upstream pools.
 */
public final class GatewayVerticle extends VerticleBase {

    private final GatewayState state;
    private final GatewayOptions options;
    private final int port;
    private final int tlsPort;
    private final ServerSSLOptions ssl;
    private HttpServer server;
    private HttpServer tlsServer;

    /** {@code ssl} is null without TLS. */
    public GatewayVerticle(GatewayState state, GatewayOptions options, int port, int tlsPort, ServerSSLOptions ssl) {
        this.state = state;
        this.options = options;
        this.port = port;
        this.tlsPort = tlsPort;
        this.ssl = ssl;
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
                        .setHttp2ClearTextEnabled(options.isH2c())
                        .setInitialSettings(new Http2Settings()
                                .setMaxConcurrentStreams(options.getHttp2MaxStreams())
                                .setMaxHeaderListSize(options.getMaxHeaderBytes()))
                        .setHttp2RstFloodMaxRstFramePerWindow(options.getHttp2MaxResetsPerMinute())
                        .setHttp2RstFloodWindowDuration(1)
                        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.MINUTES)
                        .setCompressionSupported(false)
                        .setHandle100ContinueAutomatically(false);
        ClientConnections connections = new ClientConnections(vertx, options.getHeaderTimeoutMs(), serverOptions);
        boolean traced = Tracing.isTracing(vertx);
        Forwarder forwarder = new Forwarder(client, freshClient, vertx, traced, connections,
                options.getBodyIdleTimeoutMs());
        Proxy proxy = new Proxy(connections, new Admission(state, connections, traced, forwarder::bodyFailed),
                forwarder);
        Future<Integer> httpsPort = Future.succeededFuture(0);
        if (ssl != null) {
            HttpServerOptions tlsOptions = new HttpServerOptions(serverOptions).setPort(tlsPort)
                    .setHttp2ClearTextEnabled(false);
            Certificates.apply(options.getTls(), ssl, tlsOptions);
            tlsServer = vertx.createHttpServer(tlsOptions)
                    .connectionHandler(connections::opened)
                    .requestHandler(proxy)
                    .invalidRequestHandler(ErrorResponses::answerInvalid);
            httpsPort = tlsServer.listen().map(HttpServer::actualPort);
        }
        return httpsPort.compose(actualTlsPort -> {
            Handler<HttpServerRequest> plain = ssl != null && options.getTls().isRedirectHttp()
                    ? request -> redirect(request, actualTlsPort) : proxy;
            server = vertx.createHttpServer(serverOptions)
                    .connectionHandler(connections::opened)
                    .requestHandler(plain)
                    .invalidRequestHandler(ErrorResponses::answerInvalid);
            return server.listen();
        });
    }

    /** A plain-HTTP request sent to the same URL over HTTPS; 308 keeps its method and body. */
    private static void redirect(HttpServerRequest request, int httpsPort) {
        HostAndPort authority = request.authority();
        String host = authority == null ? "localhost" : authority.host();
        String location = "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + request.uri();
        request.response().setStatusCode(308).putHeader(HttpHeaders.LOCATION, location)
                .putHeader(HttpHeaders.CONTENT_LENGTH, "0").end();
    }

    public int actualPort() {
        return server.actualPort();
    }

    /** The HTTPS port, or 0 without TLS. */
    public int actualTlsPort() {
        return tlsServer == null ? 0 : tlsServer.actualPort();
    }

    /** New certificates for new connections; open connections keep theirs. */
    public Future<Boolean> updateCertificates(ServerSSLOptions next) {
        return tlsServer == null ? Future.succeededFuture(false) : tlsServer.updateSSLOptions(next);
    }
}

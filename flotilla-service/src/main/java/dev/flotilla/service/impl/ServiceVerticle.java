package dev.flotilla.service.impl;

import dev.flotilla.core.http.ErrorResponses;
import dev.flotilla.service.ServiceContext;
import io.netty.handler.codec.compression.Brotli;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One event loop's server: health, metrics, the author's routes and JSON errors, on the service's port. In
 * cluster mode the port is shared with the app's other processes (SO_REUSEPORT) and a second server with
 * the same routes listens on a port of this process's own, the one it registers.
 */
final class ServiceVerticle extends VerticleBase {

    /** A negative port other than the shared one's: one free port shared by this process's event loops. */
    private static final int OWN_PORT = -2;

    private final RunningServiceImpl service;
    private final BiConsumer<Router, ServiceContext> routes;
    private final int port;
    private HttpServer server;
    private HttpServer instanceServer;

    ServiceVerticle(RunningServiceImpl service, BiConsumer<Router, ServiceContext> routes, int port) {
        this.service = service;
        this.routes = routes;
        this.port = port;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().handler(service.metrics()::time);
        router.route().handler(ctx -> {
            if (service.draining()) {
                ctx.response().putHeader("Connection", "close"); // the client retires this connection
            }
            ctx.next();
        });
        router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
        router.get("/health/ready").handler(service::ready);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4").end(service.metrics().scrape()));
        router.route().handler(BodyHandler.create(false).setBodyLimit(service.config().bodyLimit()));
        if (service.sessionHandler() != null) {
            router.route().handler(service.sessionHandler());
        }
        routes.accept(router, service);
        ServiceMetrics.rememberFailedRoutes(router);
        if (service.staticFiles() != null) {
            service.staticFiles().mount(router);
        }
        router.route().failureHandler(JsonErrors::handle);
        router.errorHandler(404, ctx -> JsonErrors.send(ctx, JsonErrors.forStatus(404, ctx)));
        router.errorHandler(405, ctx -> JsonErrors.send(ctx, JsonErrors.forStatus(405, ctx)));
        server = server(router, port, service.config().reusePort());
        if (!service.config().reusePort()) {
            instanceServer = server;
            return server.listen();
        }
        instanceServer = server(router, OWN_PORT, false);
        return server.listen().compose(s -> instanceServer.listen());
    }

    private HttpServer server(Router router, int listenPort, boolean reusePort) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(service.config().host())
                .setPort(listenPort)
                .setReusePort(reusePort)
                .setHttp2ClearTextEnabled(false)
                .setTcpNoDelay(true)
                // WebSocket messages are bounded like request bodies (Vert.x's default is 256 KB per message).
                .setMaxWebSocketFrameSize((int) Math.min(Integer.MAX_VALUE, service.config().bodyLimit()))
                .setMaxWebSocketMessageSize((int) Math.min(Integer.MAX_VALUE, service.config().bodyLimit()))
                // No permessage-deflate (Socket.IO's default too): a zlib context per connection costs tens of
                // kilobytes and deflating each frame for each client costs more CPU than the bytes it saves.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
        if (service.staticFiles() != null) {
            // No size threshold: Netty would measure a sendFile head (0 bytes of content) and compress no file.
            options.setCompressionSupported(true)
                    .addCompressor(StandardCompressionOptions.gzip())
                    .addCompressor(StandardCompressionOptions.deflate());
            if (Brotli.isAvailable()) {
                options.addCompressor(StandardCompressionOptions.brotli());
            }
        }
        return vertx.createHttpServer(options)
                .requestHandler(router)
                .invalidRequestHandler(ErrorResponses::answerInvalid);
    }

    HttpServer server() {
        return server;
    }

    HttpServer instanceServer() {
        return instanceServer;
    }

    /** Stops accepting, closes idle connections, and completes once the requests in flight are answered. */
    Future<Void> shutdown(Duration timeout) {
        Future<Void> shared = server.shutdown(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return instanceServer == server ? shared : Future.join(shared,
                instanceServer.shutdown(timeout.toMillis(), TimeUnit.MILLISECONDS)).mapEmpty();
    }
}

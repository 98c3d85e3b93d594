package dev.flotilla.registry;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server standing in for service instances: answers every path with a settable status and
 * remembers which registry checked which path.
 */
final class Backend implements AutoCloseable {

    final AtomicInteger status = new AtomicInteger(200);
    final AtomicInteger hits = new AtomicInteger();
    /** Path -> the registries ({@code X-Flotilla-Registry}) that requested it. */
    final Map<String, Set<String>> checkers = new ConcurrentHashMap<>();
    private final HttpServer server;

    Backend(Vertx vertx) throws Exception {
        server = vertx.createHttpServer().requestHandler(req -> {
            hits.incrementAndGet();
            String registry = req.getHeader("X-Flotilla-Registry");
            if (registry != null) {
                checkers.computeIfAbsent(req.path(), p -> ConcurrentHashMap.newKeySet()).add(registry);
            }
            req.response().setStatusCode(status.get()).end("ok");
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    @Override
    public void close() throws Exception {
        server.close().await(10, TimeUnit.SECONDS);
    }
}

package dev.flotilla.registry.impl;

import dev.flotilla.core.http.ErrorResponses;
import dev.flotilla.registry.RegistryOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.tracing.TracingPolicy;
import java.util.UUID;

/**
 * One registry process: store, view, API, watch streams, health checks and lease expiry, all on this
 * verticle's event loop, so the registry's state needs no locks.
 */
public final class RegistryVerticle extends VerticleBase {

    private final RegistryOptions options;
    private final String registryId = "registry-" + ProcessHandle.current().pid() + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    private RegistryStore store;
    private WatchHub hub;
    private HealthChecker checker;
    private LeaseReaper reaper;
    private HttpServer server;

    public RegistryVerticle(RegistryOptions options) {
        this.options = options;
    }

    /** The port the registry listens on, once started. */
    public int port() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        store = options.getRedisUrl() == null
                ? new MemoryStore()
                : new RedisStore(vertx, options.getRedisUrl(), options.getRedisPrefix(), options.getHistorySize());
        RegistryView view = new RegistryView(vertx, options.getHistorySize(), 5_000);
        RegistryService service = new RegistryService(store, view, options.getClock(), options.getMaxInstances());
        hub = new WatchHub(vertx, view, options.getMaxWatchers(), options.getMaxWatchersPerAddress(),
                options.getKeepAliveMs());
        checker = new HealthChecker(vertx, view, service, store, options.getHealthCheck(), registryId,
                options.getClock());
        RegistryMetrics metrics = new RegistryMetrics(view, hub, checker);
        view.addListener(hub);
        view.addListener(metrics);
        HttpApi api = new HttpApi(service, view, hub, store, metrics, options.getToken(), options.getMaxBodyBytes(),
                options.getPrometheusTargets());
        return store.open(view)
                .onSuccess(view::load)
                .compose(snapshot -> checker.start())
                .compose(v -> {
                    reaper = new LeaseReaper(vertx, store, options.getClock(), options.getLeaseCheckMs());
                    return vertx.createHttpServer(new HttpServerOptions()
                                    .setTracingPolicy(TracingPolicy.IGNORE) // the control plane's own traffic
                                    .setMaxInitialLineLength(8 * 1024)
                                    .setMaxHeaderSize(16 * 1024)
                                    .setHandle100ContinueAutomatically(true)
                                    .setIdleTimeout(0)
                                    // Without h2c, Vert.x hands every request it cannot parse to the
                                    // invalid-request handler (a JSON error) instead of answering it itself.
                                    .setHttp2ClearTextEnabled(false))
                            .requestHandler(api.router(vertx))
                            .invalidRequestHandler(ErrorResponses::answerInvalid)
                            .listen(options.getPort(), options.getHost());
                })
                .onSuccess(s -> server = s)
                .onFailure(e -> store.close());
    }

    @Override
    public Future<?> stop() {
        if (reaper != null) {
            reaper.close();
        }
        checker.close();
        hub.close();
        Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
        return closed.eventually(() -> store.close());
    }
}

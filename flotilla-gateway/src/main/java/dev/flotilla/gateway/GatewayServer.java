package dev.flotilla.gateway;

import dev.flotilla.core.balance.Upstreams;
import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.gateway.impl.AdminApi;
import dev.flotilla.gateway.impl.GatewayState;
import dev.flotilla.gateway.impl.CertificateWatcher;
import dev.flotilla.gateway.impl.Certificates;
import dev.flotilla.gateway.impl.GatewayVerticle;
import dev.flotilla.gateway.impl.RoutesWatcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: routes requests to the instances the registry pushes, on one server per event
 * loop, with an admin server beside it.
 */
public final class GatewayServer {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    private final Vertx vertx;
    private final RegistryClient registry;
    private final InstanceWatch watch;
    private final RoutesWatcher routesWatcher;
    private final GatewayState state;
    private final List<String> deployments;
    private final HttpServer admin;
    private final Redis redis;
    private final String host;
    private final int port;
    private final int tlsPort;
    private final CertificateWatcher certificateWatcher;

    private GatewayServer(Vertx vertx, RegistryClient registry, InstanceWatch watch, RoutesWatcher routesWatcher,
            GatewayState state, List<String> deployments, HttpServer admin, Redis redis, String host, int port,
            int tlsPort, CertificateWatcher certificateWatcher) {
        this.state = state;
        this.vertx = vertx;
        this.registry = registry;
        this.watch = watch;
        this.routesWatcher = routesWatcher;
        this.deployments = deployments;
        this.admin = admin;
        this.redis = redis;
        this.host = host;
        this.port = port;
        this.tlsPort = tlsPort;
        this.certificateWatcher = certificateWatcher;
    }

    /**
     * Starts a gateway. Fails when the routes are invalid or a port is taken. Waits for the registry's
     * first snapshot (up to {@link GatewayOptions#getRegistryWaitMs()}) so that the first requests find
     * their instances; if the registry is not there yet, the gateway serves 503s until it is.
     */
    public static Future<GatewayServer> start(Vertx vertx, GatewayOptions options) {
        if (options.getRegistryUrl() == null) {
            return Future.failedFuture(new IllegalArgumentException("registry url: missing (--registry URL)"));
        }
        RegistryClient registry;
        try {
            registry = RegistryClient.create(vertx, new RegistryClientOptions(options.getRegistryUrl())
                    .setToken(options.getToken()).setReconnectBackoff(100, 2_000));
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        ServerSSLOptions ssl;
        try {
            ssl = options.getTls() == null ? null : Certificates.read(options.getTls());
        } catch (RuntimeException e) {
            registry.close();
            return Future.failedFuture(e);
        }
        InstanceWatch watch = registry.watch(null);
        Redis redis = options.getRedisUrl() == null ? null : RedisClients.create(vertx, options.getRedisUrl());
        GatewayState state = new GatewayState(new Upstreams(watch), redis, options.getRedisPrefix());
        RoutesWatcher routesWatcher = null;
        try {
            if (options.getRoutesFile() != null) {
                routesWatcher = new RoutesWatcher(vertx, options.getRoutesFile(), state);
                routesWatcher.loadNow();
            } else if (options.getRoutes() != null) {
                state.install(options.getRoutes());
            }
        } catch (RuntimeException e) {
            watch.close();
            registry.close();
            return Future.failedFuture(e);
        }
        RoutesWatcher routes = routesWatcher;
        Future<Void> ready = watch.ready().timeout(options.getRegistryWaitMs(), TimeUnit.MILLISECONDS)
                .recover(e -> {
                    LOG.warn("no snapshot from the registry at {} yet; serving 503 until it answers",
                            options.getRegistryUrl());
                    return Future.succeededFuture();
                });
        List<String> deployments = new ArrayList<>();
        // Every event loop's server listens on the same port; a negative port asks Vert.x for one free port
        // shared by all of them (port 0 would give each its own).
        int sharedPort = options.getPort() == 0 ? -1 : options.getPort();
        // The HTTPS port likewise, with another negative number so that it is a different free port.
        int tlsPort = ssl == null ? 0 : options.getTls().getPort();
        int sharedTlsPort = ssl != null && tlsPort == 0 ? -2 : tlsPort;
        List<GatewayVerticle> verticles = new ArrayList<>();
        for (int i = 0; i < options.getEventLoops(); i++) {
            verticles.add(new GatewayVerticle(state, options, sharedPort, sharedTlsPort, ssl));
        }
        return ready
                .compose(v -> {
                    List<Future<String>> deployed = new ArrayList<>();
                    verticles.forEach(verticle -> deployed.add(vertx.deployVerticle(verticle)));
                    return Future.all(deployed).map(all -> {
                        deployed.forEach(f -> deployments.add(f.result()));
                        return verticles.get(0).actualPort();
                    });
                })
                .compose(port -> vertx.createHttpServer(new HttpServerOptions()
                                .setHost(options.getAdminHost()).setPort(options.getAdminPort())
                                .setTracingPolicy(TracingPolicy.IGNORE))
                        .requestHandler(new AdminApi(state, options.getToken()))
                        .listen()
                        .map(admin -> {
                            if (routes != null) {
                                routes.watch(options.getRoutesCheckMs());
                            }
                            CertificateWatcher certificates = null;
                            if (ssl != null) {
                                LOG.info("HTTPS on port {} ({}, {}), certificates {}", verticles.get(0).actualTlsPort(),
                                        options.getTls().isHttp2() ? "HTTP/2 and HTTP/1.1" : "HTTP/1.1",
                                        Certificates.engineName(options.getTls()), options.getTls().getCertificates());
                                certificates = new CertificateWatcher(vertx, options.getTls(), next ->
                                        Future.all(verticles.stream().map(v -> v.updateCertificates(next)).toList()));
                                certificates.start();
                            }
                            return new GatewayServer(vertx, registry, watch, routes, state, deployments, admin, redis,
                                    options.getHost(), port, verticles.get(0).actualTlsPort(), certificates);
                        }))
                .onFailure(e -> {
                    deployments.forEach(vertx::undeploy);
                    watch.close();
                    registry.close();
                    if (redis != null) {
                        redis.close();
                    }
                });
    }

    /** Every route in force as it stands now: counts, latency histogram, breaker, instances. */
    public List<RouteStatus> routes() {
        return state.status();
    }

    public int port() {
        return port;
    }

    public int adminPort() {
        return admin.actualPort();
    }

    public String url() {
        return "http://" + host + ":" + port;
    }

    /** The HTTPS port, or 0 without TLS. */
    public int tlsPort() {
        return tlsPort;
    }

    /** Stops serving: closes the servers (in-flight requests are cut) and the registry watch. */
    public Future<Void> close() {
        if (routesWatcher != null) {
            routesWatcher.stop();
        }
        if (certificateWatcher != null) {
            certificateWatcher.stop();
        }
        List<Future<?>> closing = new ArrayList<>();
        deployments.forEach(id -> closing.add(vertx.undeploy(id)));
        closing.add(admin.close());
        return Future.join(closing).eventually(() -> {
            watch.close();
            registry.close();
            if (redis != null) {
                redis.close();
            }
            return Future.succeededFuture();
        }).mapEmpty();
    }
}

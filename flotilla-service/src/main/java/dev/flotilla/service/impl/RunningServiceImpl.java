package dev.flotilla.service.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.redis.RedisClients;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.Registration;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.core.registry.RegistryClientOptions;
import dev.flotilla.core.trace.Tracing;
import dev.flotilla.service.RunningService;
import dev.flotilla.service.ServiceClient;
import dev.flotilla.service.ServiceConfig;
import dev.flotilla.service.ServiceContext;
import dev.flotilla.service.session.SessionHandler;
import dev.flotilla.service.session.SessionOptions;
import dev.flotilla.service.session.SessionStore;
import dev.flotilla.service.session.SessionStores;
import dev.flotilla.service.shared.RedisSharedMap;
import dev.flotilla.service.shared.SharedMap;
import dev.flotilla.service.web.StaticFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A started service: its servers, its registration and the clients its handlers use. */
public final class RunningServiceImpl implements RunningService {

    private static final Logger LOG = LoggerFactory.getLogger(RunningServiceImpl.class);
    private final String name;
    private final String version;
    private final ServiceConfig config;
    private final Vertx vertx;
    private final Tracing tracing;
    private final Map<String, Function<ServiceContext, Future<?>>> checks;
    private final ServiceMetrics metrics;
    private final List<ServiceVerticle> verticles = new ArrayList<>();
    private volatile InstanceStatus state = InstanceStatus.STARTING;
    private volatile int port;
    /** The port this process alone listens on: the shared one, or in cluster mode a port of its own. */
    private volatile int instancePort;
    private RegistryClient registryClient;
    private Registration registration;
    private ServiceClient client;
    private Redis redis;
    private final Map<String, SharedMap> sharedMaps = new ConcurrentHashMap<>();
    private SessionStore sessionStore;
    private SessionHandler sessionHandler;
    private StaticFiles staticFiles;
    private final List<Supplier<Future<?>>> closeHooks = new CopyOnWriteArrayList<>();

    private RunningServiceImpl(String name, String version, ServiceConfig config, Tracing tracing, Vertx vertx,
            Map<String, Function<ServiceContext, Future<?>>> checks) {
        this.name = name;
        this.version = version;
        this.config = config;
        this.tracing = tracing;
        this.vertx = vertx;
        this.checks = checks;
        this.metrics = new ServiceMetrics(name);
    }

    public static Future<RunningService> start(String name, String version, ServiceConfig config,
            BiConsumer<Router, ServiceContext> routes, Map<String, Function<ServiceContext, Future<?>>> checks,
            int eventLoops, SessionOptions sessionOptions, StaticFiles staticFiles) {
        Tracing tracing = Tracing.create(config.traces(), name, version, config.instanceId()).registerGlobal();
        Vertx vertx = tracing.vertx(new VertxOptions().setPreferNativeTransport(true)
                .setEventLoopPoolSize(eventLoops));
        RunningServiceImpl service = new RunningServiceImpl(name, version, config, tracing, vertx,
                Map.copyOf(checks));
        service.staticFiles = staticFiles;
        if (sessionOptions != null) {
            try {
                service.sessionStore = SessionStores.create(service, sessionOptions);
            } catch (RuntimeException e) {
                service.closeVertx();
                return Future.failedFuture(e);
            }
            service.sessionHandler = new SessionHandler(service.sessionStore, sessionOptions);
        }
        // A negative port asks Vert.x for one free port shared by every event loop's server.
        int port = config.port() == 0 ? -1 : config.port();
        List<Future<String>> deployed = new ArrayList<>();
        for (int i = 0; i < eventLoops; i++) {
            ServiceVerticle verticle = new ServiceVerticle(service, routes, port);
            service.verticles.add(verticle);
            deployed.add(vertx.deployVerticle(verticle));
        }
        return Future.all(deployed)
                .compose(v -> {
                    service.port = service.verticles.get(0).server().actualPort();
                    service.instancePort = service.verticles.get(0).instanceServer().actualPort();
                    return service.register();
                })
                .map(v -> (RunningService) service)
                .onFailure(e -> service.closeVertx());
    }

    private Future<Void> register() {
        if (config.registryUrl() == null) {
            state = InstanceStatus.UP;
            return Future.succeededFuture();
        }
        registryClient = RegistryClient.create(vertx,
                new RegistryClientOptions(config.registryUrl()).setToken(config.token()));
        String host = "0.0.0.0".equals(config.host()) ? "127.0.0.1" : config.host();
        Instance instance = Instance.builder(config.instanceId(), name, version).host(host).port(instancePort)
                .healthPath("/health/ready").status(InstanceStatus.STARTING)
                .metadata(Map.of("pid", Long.toString(ProcessHandle.current().pid()))).build();
        return registryClient.register(instance).compose(registered -> {
            registration = registered;
            return becomeUp();
        });
    }

    /** Reports UP once every readiness check passes, checking again every second until they do. */
    private Future<Void> becomeUp() {
        return runChecks().transform(ar -> {
            if (ar.succeeded() && ar.result().getString("status").equals("UP")) {
                state = InstanceStatus.UP;
                return registration.status(InstanceStatus.UP).mapEmpty();
            }
            LOG.warn("{} not ready yet: {}", name, ar.succeeded() ? ar.result().encode() : ar.cause().getMessage());
            vertx.setTimer(1_000, t -> becomeUp());
            return Future.succeededFuture();
        });
    }

    private Future<JsonObject> runChecks() {
        JsonObject results = new JsonObject();
        List<Future<?>> running = new ArrayList<>();
        checks.forEach((checkName, check) -> {
            Future<?> result;
            try {
                result = check.apply(this).timeout(2, TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                result = Future.failedFuture(e);
            }
            running.add(result.onComplete(ar -> results.put(checkName,
                    ar.succeeded() ? "UP" : "DOWN: " + ar.cause().getMessage())));
        });
        return Future.join(running).transform(ar -> Future.succeededFuture(new JsonObject()
                .put("status", ar.succeeded() ? "UP" : "DOWN").put("checks", results)));
    }

    /** {@code /health/ready}: 200 when UP and every check passes, 503 otherwise (starting, draining, failing). */
    void ready(RoutingContext ctx) {
        if (state != InstanceStatus.UP && state != InstanceStatus.STARTING) {
            ctx.response().setStatusCode(503);
            ctx.json(new JsonObject().put("status", state.name()));
            return;
        }
        runChecks().onSuccess(result -> {
            boolean up = result.getString("status").equals("UP");
            if (up && state == InstanceStatus.STARTING) {
                result.put("status", "STARTING");
                up = false;
            }
            ctx.response().setStatusCode(up ? 200 : 503);
            ctx.json(result);
        });
    }

    /** True once shutdown has begun: responses then ask clients to close their connections. */
    boolean draining() {
        return state == InstanceStatus.DRAINING;
    }

    /** The handler that loads each request's session, or null when the service has no sessions. */
    SessionHandler sessionHandler() {
        return sessionHandler;
    }

    /** The folder served after the routes, or null. */
    StaticFiles staticFiles() {
        return staticFiles;
    }

    ServiceMetrics metrics() {
        return metrics;
    }

    /**
     * Drains, then stops: DRAINING (gateways and clients stop sending new requests as soon as they hear it),
     * the drain grace for them to hear it, deregistered, then the servers stop accepting, close their idle
     * connections and finish the requests in flight (within the drain timeout). An idle instance is gone in
     * well under a second, a busy one as soon as its last request is answered.
     */
    @Override
    public Future<Void> close() {
        state = InstanceStatus.DRAINING;
        Future<?> announced = registration == null ? Future.succeededFuture()
                : registration.status(InstanceStatus.DRAINING).timeout(2, TimeUnit.SECONDS)
                        .compose(v -> delay(config.drainGrace().toMillis()))
                        .compose(v -> registration.deregister().timeout(2, TimeUnit.SECONDS));
        return announced.transform(ar -> {
            if (ar.failed()) {
                LOG.warn("{} could not deregister cleanly: {}", name, ar.cause().getMessage());
            }
            List<Future<?>> hooks = new ArrayList<>();
            for (Supplier<Future<?>> hook : closeHooks) {
                try {
                    hooks.add(hook.get().timeout(config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS));
                } catch (RuntimeException e) {
                    hooks.add(Future.failedFuture(e));
                }
            }
            return Future.join(hooks);
        }).transform(ar -> {
            List<Future<?>> shutdowns = new ArrayList<>();
            for (ServiceVerticle verticle : verticles) {
                shutdowns.add(verticle.shutdown(config.drainTimeout()));
            }
            return Future.join(shutdowns);
        }).transform(ar -> {
            if (client != null) {
                client.close();
            }
            if (sessionStore != null) {
                sessionStore.close();
            }
            sharedMaps.values().forEach(SharedMap::close);
            if (redis != null) {
                redis.close();
            }
            if (registryClient != null) {
                registryClient.close();
            }
            return closeVertx();
        });
    }

    /** Closes Vert.x, then sends the spans still queued (so the last requests' traces are not lost). */
    private Future<Void> closeVertx() {
        return vertx.close().andThen(ar -> tracing.close());
    }

    private Future<Void> delay(long ms) {
        if (ms <= 0) {
            return Future.succeededFuture();
        }
        return Future.future(promise -> vertx.setTimer(ms, t -> promise.complete()));
    }

    @Override
    public Vertx vertx() {
        return vertx;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public String instanceId() {
        return config.instanceId();
    }

    @Override
    public ServiceConfig config() {
        return config;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String url() {
        return "http://" + config.host() + ":" + port;
    }

    @Override
    public synchronized ServiceClient client() {
        if (client == null) {
            if (registryClient == null) {
                throw new HttpFailure(503, "no_registry",
                        "calls to other services need a registry (FLOTILLA_REGISTRY is not set)");
            }
            client = ServiceClient.create(vertx, registryClient.watch(null), null);
        }
        return client;
    }

    @Override
    public void onClose(Supplier<Future<?>> hook) {
        closeHooks.add(hook);
    }

    @Override
    public SharedMap shared(String mapName) {
        if (config.redisUrl() == null) {
            throw new HttpFailure(503, "no_redis", "shared data needs Redis (FLOTILLA_REDIS is not set)");
        }
        return sharedMaps.computeIfAbsent(mapName, n -> RedisSharedMap.open(vertx, config.redisUrl(), n));
    }

    @Override
    public synchronized Redis redis() {
        if (redis == null) {
            if (config.redisUrl() == null) {
                throw new HttpFailure(503, "no_redis", "this service needs Redis (FLOTILLA_REDIS is not set)");
            }
            redis = RedisClients.create(vertx, config.redisUrl());
        }
        return redis;
    }
}

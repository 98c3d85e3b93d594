package dev.flotilla.service;

import dev.flotilla.core.lifecycle.Shutdown;
import dev.flotilla.service.impl.RunningServiceImpl;
import dev.flotilla.service.session.Session;
import dev.flotilla.service.session.SessionOptions;
import dev.flotilla.service.web.StaticFiles;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * A Flotilla service: a name, a version and routes on a Vert.x {@link Router}; registration, health,
 * metrics, JSON errors and graceful shutdown come with it.
 * <pre>
 * FlotillaService.named("hello", "1.0.0")
 *         .routes(router -&gt; router.get("/hello").handler(ctx -&gt; ctx.json(Map.of("hello", "world"))))
 *         .run();
 * </pre>
 * Configuration comes from the environment ({@link ServiceConfig}); the setters here override it.
 */
public final class FlotillaService {

    private final String name;
    private final String version;
    private BiConsumer<Router, ServiceContext> routes = (router, context) -> { };
    private final Map<String, Function<ServiceContext, Future<?>>> readinessChecks = new LinkedHashMap<>();
    private ServiceConfig config;
    private int eventLoops = Runtime.getRuntime().availableProcessors();
    private SessionOptions sessions;
    private StaticFiles staticFiles;

    private FlotillaService(String name, String version) {
        this.name = Objects.requireNonNull(name, "name");
        this.version = Objects.requireNonNull(version, "version");
        this.config = ServiceConfig.fromEnvironment(name, System.getenv());
    }

    public static FlotillaService named(String name, String version) {
        return new FlotillaService(name, version);
    }

    /** The routes, set up once per event loop. */
    public FlotillaService routes(Consumer<Router> routes) {
        return routes((router, context) -> routes.accept(router));
    }

    /** The routes, with the service's context (Redis, other services, identity) at hand. */
    public FlotillaService routes(BiConsumer<Router, ServiceContext> routes) {
        this.routes = Objects.requireNonNull(routes, "routes");
        return this;
    }

    /** A check {@code /health/ready} runs; the instance is not ready while one fails. */
    public FlotillaService readinessCheck(String checkName, Function<ServiceContext, Future<?>> check) {
        readinessChecks.put(Objects.requireNonNull(checkName, "name"), Objects.requireNonNull(check, "check"));
        return this;
    }

    /**
     * Turns sessions on with the defaults of {@link SessionOptions#defaults()}: handlers find the request's
     * session with {@link Session#of}, the same on every instance. The store is Redis
     * ({@code FLOTILLA_REDIS}) unless {@code FLOTILLA_SESSIONS} names a MongoDB URL.
     */
    public FlotillaService sessions() {
        return sessions(SessionOptions.defaults());
    }

    /** Turns sessions on with these options. */
    public FlotillaService sessions(SessionOptions options) {
        this.sessions = Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * Serves a folder after the service's own routes (they win where both match), with compression for
     * clients that ask for it; see {@link StaticFiles}.
     */
    public FlotillaService staticFiles(StaticFiles files) {
        this.staticFiles = Objects.requireNonNull(files, "files");
        return this;
    }

    /** Replaces the configuration read from the environment. */
    public FlotillaService config(ServiceConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        return this;
    }

    public ServiceConfig config() {
        return config;
    }

    public FlotillaService port(int port) {
        return config(config.withPort(port));
    }

    public FlotillaService registry(String url) {
        return config(config.withRegistryUrl(url));
    }

    /** Redis for sessions and shared data ({@code FLOTILLA_REDIS}). */
    public FlotillaService redis(String url) {
        return config(config.withRedisUrl(url));
    }

    /** How long in-flight requests may take to finish after SIGTERM. */
    public FlotillaService drainTimeout(Duration drainTimeout) {
        return config(config.withDrain(drainTimeout, config.drainGrace()));
    }

    /** See {@link ServiceConfig#drainGrace()}. */
    public FlotillaService drainGrace(Duration drainGrace) {
        return config(config.withDrain(config.drainTimeout(), drainGrace));
    }

    /** How many event loops serve requests (default: one per core). */
    public FlotillaService eventLoops(int eventLoops) {
        if (eventLoops < 1) {
            throw new IllegalArgumentException("event loops: " + eventLoops + " (expected: >= 1)");
        }
        this.eventLoops = eventLoops;
        return this;
    }

    /**
     * Starts listening, registers as STARTING, then reports UP once every readiness check passes. The
     * future fails when the port is taken or the registry refuses the instance.
     */
    public Future<RunningService> start() {
        return RunningServiceImpl.start(name, version, config, routes, readinessChecks, eventLoops, sessions,
                staticFiles);
    }

    /**
     * Starts, then serves until SIGTERM or Ctrl-C, then shuts down gracefully (DRAINING, deregistered,
     * in-flight requests finished) and returns, so that {@code main} ends and the process exits 0.
     */
    public void run() {
        Shutdown shutdown = Shutdown.onSignals();
        RunningService running;
        try {
            running = start().await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(name + " could not start: " + e.getMessage(), e);
        }
        LoggerFactory.getLogger(FlotillaService.class).info("{}@{} listening on {} as {}", name, version,
                running.url(), running.instanceId());
        try {
            shutdown.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            running.close().await(config.drainTimeout().toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LoggerFactory.getLogger(FlotillaService.class).warn("{} did not stop cleanly: {}", name, e.getMessage());
        }
    }
}

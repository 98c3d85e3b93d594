package dev.flotilla.dashboard;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.metrics.PrometheusRegistries;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.InstanceWatch;
import dev.flotilla.core.registry.RegistryClient;
import dev.flotilla.dashboard.alerts.AlertEvaluator;
import dev.flotilla.dashboard.alerts.Readings;
import dev.flotilla.dashboard.traces.TraceStore;
import dev.flotilla.gateway.GatewayServer;
import dev.flotilla.gateway.RouteStatus;
import dev.flotilla.supervisor.InstanceInfo;
import dev.flotilla.supervisor.Supervisor;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The control plane's dashboard: one page (services and instances, the gateway's routes, the supervisor's
 * processes and their logs, alerts, recent traces) kept live over server-sent events, the span intake the
 * fleet's processes export to ({@code POST /v1/traces}), and the control plane's own {@code /metrics} with the
 * supervisor's per-instance figures. Once a second it reads the fleet, evaluates the alert rules and pushes a
 * snapshot; a registry change pushes one at once, so an instance going DOWN shows within a moment.
 */
public final class Dashboard {

    /** The intake takes batches of at most this size: the exporters send 512 spans a batch. */
    private static final long INTAKE_LIMIT_BYTES = 4L << 20;
    /** Viewers beyond this many are refused: each costs a snapshot a second (and a log follower). */
    private static final int MAX_STREAMS = 64;

    private final Vertx vertx;
    private final DashboardOptions options;
    private final InstanceWatch watch;
    private final RegistryClient registry;
    private final GatewayServer gateway;
    private final Supervisor supervisor;
    private final TraceStore traces;
    private final AlertEvaluator alerts;
    private final AlertNotifier notifier;
    private final FleetSamples samples = new FleetSamples();
    private final PrometheusMeterRegistry metrics = PrometheusRegistries.create();
    private final ProcessMetrics processMetrics = new ProcessMetrics(metrics);
    private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
    private final Map<HttpServerResponse, LogFollower> logStreams = new ConcurrentHashMap<>();
    private volatile List<InstanceInfo> processes = List.of();
    private volatile List<RouteStatus> routes = List.of();
    private HttpServer server;
    private long timer;
    private boolean pushQueued;
    /** Alerts are evaluated once the fleet is up: while it starts, every rule on instances would fire. */
    private volatile boolean alerting;

    private Dashboard(Vertx vertx, DashboardOptions options, RegistryClient registry, GatewayServer gateway,
            Supervisor supervisor, TraceStore traces) {
        this.vertx = vertx;
        this.options = options;
        this.registry = registry;
        this.watch = registry.watch(null);
        this.gateway = gateway;
        this.supervisor = supervisor;
        this.traces = traces;
        this.notifier = new AlertNotifier(vertx, options.webhook());
        this.alerts = new AlertEvaluator(options.alerts(), notifier::send);
    }

    /**
     * Starts the dashboard over a fleet's parts ({@code gateway} and {@code supervisor} may be null when the
     * control plane runs without them).
     */
    public static Future<Dashboard> start(Vertx vertx, DashboardOptions options, RegistryClient registry,
            GatewayServer gateway, Supervisor supervisor, TraceStore traces) {
        Dashboard dashboard = new Dashboard(vertx, options, registry, gateway, supervisor, traces);
        return dashboard.listen().map(dashboard);
    }

    private Future<HttpServer> listen() {
        Router router = Router.router(vertx);
        router.get("/api/state").handler(ctx -> json(ctx, 200, state()));
        router.get("/api/events").handler(this::events);
        router.get("/api/traces").handler(ctx -> json(ctx, 200, new JsonObject()
                .put("traces", traces.recent(limit(ctx.queryParams().get("limit"))))));
        router.get("/api/traces/:id").handler(this::trace);
        router.get("/api/logs/:app").handler(this::logs);
        router.post("/api/apps/:app/reload").handler(this::reload);
        router.post("/api/instances/:id/drain").handler(this::drain);
        router.post("/v1/traces").handler(BodyHandler.create(false).setBodyLimit(INTAKE_LIMIT_BYTES))
                .handler(this::intake);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4").end(metrics.scrape()));
        router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
        router.route("/*").handler(StaticHandler.create("dev/flotilla/dashboard/web")
                .setIndexPage("index.html").setCachingEnabled(false));
        router.route().failureHandler(ctx -> {
            HttpFailure failure = ctx.failure() instanceof HttpFailure known ? known
                    : new HttpFailure(ctx.statusCode() > 0 ? ctx.statusCode() : 500, "error",
                            ctx.failure() == null ? "failed" : String.valueOf(ctx.failure().getMessage()));
            error(ctx, failure);
        });
        watch.addListener(event -> pushSoon());
        timer = vertx.setPeriodic(0, 1_000, id -> tick());
        return vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port())
                        .setTracingPolicy(TracingPolicy.IGNORE))
                .requestHandler(router).listen().onSuccess(s -> server = s);
    }

    /** Reads the fleet, evaluates the alerts and pushes a snapshot to every viewer. */
    private void tick() {
        List<RouteStatus> nowRoutes = gateway == null ? List.of() : gateway.routes();
        List<InstanceInfo> nowProcesses = supervisor == null ? List.of() : supervisor.list();
        routes = nowRoutes;
        processes = nowProcesses;
        Map<String, Long> restarts = new HashMap<>();
        nowProcesses.forEach(p -> restarts.merge(p.app(), (long) p.restarts(), Long::sum));
        long now = System.nanoTime();
        samples.record(now, nowRoutes, restarts);
        processMetrics.update(nowProcesses);
        if (alerting) {
            alerts.evaluate(readings(), now, Instant.now());
        }
        push();
    }

    private Readings readings() {
        return new Readings() {
            @Override
            public int instancesUp(String service) {
                return (int) watch.instances(service).stream()
                        .filter(instance -> instance.status() == InstanceStatus.UP).count();
            }

            @Override
            public RouteWindow route(String route, Duration window) {
                return samples.route(route, window);
            }

            @Override
            public long restarts(String app, Duration window) {
                return samples.restarts(app, window);
            }

            @Override
            public boolean breakerOpen(String route) {
                return routes.stream().anyMatch(r -> r.id().equals(route) && "open".equals(r.breaker()));
            }
        };
    }

    /** A registry change: push within 100 ms (several changes at once make one push). */
    private void pushSoon() {
        if (!pushQueued) {
            pushQueued = true;
            vertx.setTimer(100, id -> {
                pushQueued = false;
                push();
            });
        }
    }

    private void push() {
        if (streams.isEmpty()) {
            return;
        }
        String frame = "event: state\ndata: " + state().encode() + "\n\n";
        for (HttpServerResponse stream : streams) {
            if (!stream.writeQueueFull()) { // a viewer that does not keep up skips snapshots
                stream.write(frame);
            }
        }
    }

    /** The whole page's data. */
    public JsonObject state() {
        JsonArray services = new JsonArray();
        Map<String, List<Instance>> byService = new TreeMap<>();
        watch.instances().forEach(i -> byService.computeIfAbsent(i.service(), k -> new ArrayList<>()).add(i));
        byService.forEach((name, instances) -> {
            JsonArray list = new JsonArray();
            instances.stream().sorted((a, b) -> a.id().compareTo(b.id())).forEach(i -> list.add(new JsonObject()
                    .put("id", i.id()).put("version", i.version()).put("status", i.status().wireName())
                    .put("reason", i.statusReason()).put("address", i.host() + ":" + i.port())
                    .put("zone", i.zone())));
            services.add(new JsonObject().put("name", name).put("instances", list));
        });
        JsonArray routeList = new JsonArray();
        for (RouteStatus route : routes) {
            RouteWindow window = samples.route(route.id(), Duration.ofSeconds(10));
            JsonObject json = new JsonObject().put("id", route.id()).put("path", route.path())
                    .put("service", route.service()).put("breaker", route.breaker())
                    .put("requests", route.requests()).put("instances", route.instances());
            if (window != null) {
                json.put("rps", round(window.rate())).put("errorRate", round(window.errorRate()))
                        .put("p50Ms", millis(window.quantile(0.5))).put("p99Ms", millis(window.quantile(0.99)));
            }
            routeList.add(json);
        }
        JsonArray processList = new JsonArray();
        processes.forEach(p -> processList.add(p.toJson()));
        return new JsonObject().put("time", Instant.now().toString()).put("registryConnected", watch.connected())
                .put("actions", options.token() != null)
                .put("services", services).put("routes", routeList).put("processes", processList)
                .put("alerts", alerts.states()).put("alertHistory", alerts.history())
                .put("traces", traces.recent(25));
    }

    private static Double round(double value) {
        return Double.isNaN(value) ? null : Math.round(value * 1000) / 1000.0;
    }

    private static Double millis(double seconds) {
        return Double.isNaN(seconds) ? null : Math.round(seconds * 10_000) / 10.0;
    }

    private void events(RoutingContext ctx) {
        if (streams.size() + logStreams.size() >= MAX_STREAMS) {
            error(ctx, new HttpFailure(503, "too_many_viewers", "at most " + MAX_STREAMS + " live views at once"));
            return;
        }
        HttpServerResponse response = sse(ctx);
        response.write("event: state\ndata: " + state().encode() + "\n\n");
        streams.add(response);
        response.closeHandler(v -> streams.remove(response));
    }

    private static HttpServerResponse sse(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        response.setChunked(true).putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
        response.write("retry: 1000\n\n");
        return response;
    }

    private void trace(RoutingContext ctx) {
        JsonArray spans = traces.get(ctx.pathParam("id"));
        if (spans == null) {
            error(ctx, HttpFailure.notFound("no trace " + ctx.pathParam("id") + " is kept (the control plane keeps"
                    + " the most recent ones)"));
            return;
        }
        json(ctx, 200, new JsonObject().put("traceId", ctx.pathParam("id")).put("spans", spans));
    }

    private void intake(RoutingContext ctx) {
        JsonArray spans;
        try {
            spans = ctx.body().asJsonArray();
        } catch (DecodeException | ClassCastException e) {
            error(ctx, HttpFailure.badRequest("expected a JSON array of spans"));
            return;
        }
        if (spans == null) {
            error(ctx, HttpFailure.badRequest("expected a JSON array of spans"));
            return;
        }
        try {
            traces.add(spans);
        } catch (IllegalArgumentException e) {
            error(ctx, HttpFailure.badRequest(e.getMessage()));
            return;
        }
        ctx.response().setStatusCode(202).end();
    }

    private void logs(RoutingContext ctx) {
        String app = ctx.pathParam("app");
        if (supervisor == null || !supervisor.appNames().contains(app)) {
            error(ctx, HttpFailure.notFound("no app named '" + app + "'"));
            return;
        }
        if (streams.size() + logStreams.size() >= MAX_STREAMS) {
            error(ctx, new HttpFailure(503, "too_many_viewers", "at most " + MAX_STREAMS + " live views at once"));
            return;
        }
        HttpServerResponse response = sse(ctx);
        LogFollower follower = new LogFollower(vertx, supervisor.logFile(app), 200, line -> {
            if (!response.writeQueueFull()) {
                response.write("event: line\ndata: " + new JsonObject().put("line", line).encode() + "\n\n");
            }
        });
        logStreams.put(response, follower);
        response.closeHandler(v -> {
            LogFollower gone = logStreams.remove(response);
            if (gone != null) {
                gone.stop();
            }
        });
    }

    private void reload(RoutingContext ctx) {
        if (!authorized(ctx)) {
            return;
        }
        String app = ctx.pathParam("app");
        if (supervisor == null || !supervisor.appNames().contains(app)) {
            error(ctx, HttpFailure.notFound("no app named '" + app + "'"));
            return;
        }
        vertx.executeBlocking(() -> {
            supervisor.reload(app);
            return null;
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                json(ctx, 200, new JsonObject().put("reloaded", app));
            } else {
                error(ctx, new HttpFailure(500, "reload_failed", String.valueOf(ar.cause().getMessage())));
            }
        });
    }

    private void drain(RoutingContext ctx) {
        if (!authorized(ctx)) {
            return;
        }
        String id = ctx.pathParam("id");
        registry.setStatus(id, InstanceStatus.DRAINING, "drained from the dashboard").onComplete(ar -> {
            if (ar.succeeded()) {
                json(ctx, 200, new JsonObject().put("draining", id));
            } else {
                error(ctx, ar.cause() instanceof HttpFailure failure ? failure
                        : new HttpFailure(502, "registry_unavailable", String.valueOf(ar.cause().getMessage())));
            }
        });
    }

    /** Actions need the control plane's token; without one the dashboard is read-only. */
    private boolean authorized(RoutingContext ctx) {
        if (options.token() == null) {
            error(ctx, new HttpFailure(403, "read_only", "the dashboard is read-only: give the control plane a"
                    + " token (dashboard.token in flotilla.yaml) to allow actions"));
            return false;
        }
        if (!("Bearer " + options.token()).equals(ctx.request().getHeader("Authorization"))) {
            error(ctx, new HttpFailure(401, "unauthorized", "this action needs the control plane's bearer token"));
            return false;
        }
        return true;
    }

    private static int limit(String text) {
        try {
            return text == null ? 50 : Math.max(1, Math.min(500, Integer.parseInt(text)));
        } catch (NumberFormatException e) {
            return 50;
        }
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static void error(RoutingContext ctx, HttpFailure failure) {
        if (!ctx.response().ended()) {
            json(ctx, failure.status(), failure.toJson());
        }
    }

    public int port() {
        return server.actualPort();
    }

    /** The page's address, ending in {@code /}. */
    public String url() {
        return "http://" + ("0.0.0.0".equals(options.host()) ? "127.0.0.1" : options.host()) + ":" + port() + "/";
    }

    /** Starts evaluating the alert rules: the fleet is up. */
    public void startAlerting() {
        alerting = true;
    }

    public Future<Void> close() {
        vertx.cancelTimer(timer);
        streams.forEach(HttpServerResponse::end);
        logStreams.values().forEach(LogFollower::stop);
        watch.close();
        return server == null ? Future.succeededFuture() : server.close();
    }
}

package dev.flotilla.registry.impl;

import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.core.registry.Instance;
import dev.flotilla.core.registry.InstanceStatus;
import dev.flotilla.core.registry.ServiceSummary;
import dev.flotilla.core.version.VersionRange;
import dev.flotilla.registry.RegistryOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The registry's HTTP API: routes, authentication, and the one place where failures become JSON errors. */
final class HttpApi {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    private final RegistryService service;
    private final RegistryView view;
    private final WatchHub hub;
    private final RegistryStore store;
    private final RegistryMetrics metrics;
    private final String token;
    private final int maxBodyBytes;
    private final List<RegistryOptions.PrometheusTarget> ownTargets;

    HttpApi(RegistryService service, RegistryView view, WatchHub hub, RegistryStore store, RegistryMetrics metrics,
            String token, int maxBodyBytes, List<RegistryOptions.PrometheusTarget> ownTargets) {
        this.ownTargets = ownTargets;
        this.service = service;
        this.view = view;
        this.hub = hub;
        this.store = store;
        this.metrics = metrics;
        this.token = token;
        this.maxBodyBytes = maxBodyBytes;
    }

    Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.route().handler(this::timed);
        router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
        router.get("/health/ready").handler(this::ready);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.scrape()));

        router.route("/v1/*").method(HttpMethod.PUT).method(HttpMethod.POST).method(HttpMethod.DELETE)
                .handler(this::authorize);
        router.put("/v1/instances/:id").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(ctx -> respond(ctx, service.register(InstanceParser.registration(
                        ctx.pathParam("id"), ctx.body().buffer())),
                        leased -> leased(leased.instance(), leased.leaseExpiresAt())));
        router.put("/v1/instances/:id/heartbeat").handler(ctx -> {
            String id = InstanceParser.id(ctx.pathParam("id"));
            respond(ctx, service.heartbeat(id), expiresAt -> new JsonObject().put("id", id)
                    .put("lease", lease(service.instance(id).ttlSeconds(), expiresAt)));
        });
        router.put("/v1/instances/:id/status").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::setStatus);
        router.delete("/v1/instances/:id").handler(ctx -> respond(ctx,
                service.deregister(InstanceParser.id(ctx.pathParam("id"))),
                removed -> new JsonObject().put("instance", removed.toJson())));
        router.get("/v1/instances/:id").handler(ctx -> {
            Instance instance = service.instance(InstanceParser.id(ctx.pathParam("id")));
            respond(ctx, service.leaseOf(instance.id()),
                    expiresAt -> leased(instance, expiresAt == null ? 0 : expiresAt));
        });
        router.get("/v1/services").handler(this::services);
        router.get("/v1/services/:name").handler(this::discover);
        router.get("/v1/watch").handler(this::watch);
        router.get("/v1/prometheus/targets").handler(this::prometheusTargets);
        router.get("/").handler(ctx -> json(ctx, 200, new JsonObject()
                .put("name", "flotilla-registry")
                .put("revision", view.revision())
                .put("endpoints", new JsonArray(List.of("PUT /v1/instances/{id}", "PUT /v1/instances/{id}/heartbeat",
                        "PUT /v1/instances/{id}/status", "DELETE /v1/instances/{id}", "GET /v1/instances/{id}",
                        "GET /v1/services", "GET /v1/services/{name}?version=RANGE&status=UP", "GET /v1/watch",
                        "GET /v1/prometheus/targets",
                        "GET /health/live", "GET /health/ready", "GET /metrics")))));

        router.route().failureHandler(this::failure);
        router.errorHandler(404, ctx -> error(ctx, new HttpFailure(404, "not_found",
                "no endpoint " + ctx.request().method() + " " + ctx.request().path())));
        router.errorHandler(405, ctx -> error(ctx, new HttpFailure(405, "method_not_allowed",
                ctx.request().method() + " is not allowed on " + ctx.request().path())));
        return router;
    }

    private void timed(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addEndHandler(r -> {
            String op = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null
                    ? "other" : ctx.request().method() + " " + ctx.currentRoute().getPath();
            metrics.request(op, ctx.response().getStatusCode(), System.nanoTime() - start);
        });
        ctx.next();
    }

    private void ready(RoutingContext ctx) {
        boolean ready = store.healthy();
        json(ctx, ready ? 200 : 503, new JsonObject().put("status", ready ? "UP" : "DOWN")
                .put("revision", view.revision()));
    }

    private void authorize(RoutingContext ctx) {
        if (token == null) {
            ctx.next();
            return;
        }
        List<String> headers = ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION);
        if (headers.size() > 1) {
            throw HttpFailure.badRequest("more than one Authorization header");
        }
        String header = headers.isEmpty() ? null : headers.get(0).trim();
        int space = header == null ? -1 : header.indexOf(' ');
        // RFC 9110 11.1: the scheme is case-insensitive.
        if (space < 0 || !header.substring(0, space).equalsIgnoreCase("Bearer")) {
            throw new HttpFailure(401, "unauthorized",
                    "this registry needs 'Authorization: Bearer <token>' for writes");
        }
        byte[] given = header.substring(space + 1).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8))) {
            throw new HttpFailure(403, "forbidden", "the bearer token is not this registry's token");
        }
        ctx.next();
    }

    private void setStatus(RoutingContext ctx) {
        String id = InstanceParser.id(ctx.pathParam("id"));
        JsonObject body = InstanceParser.object(ctx.body().buffer());
        Set<String> unknown = new TreeSet<>(body.fieldNames());
        unknown.removeAll(Set.of("status", "reason"));
        if (!unknown.isEmpty()) {
            throw HttpFailure.badRequest("unknown field '" + unknown.iterator().next()
                    + "' (expected: status, reason)");
        }
        InstanceStatus status = InstanceParser.status(body.getValue("status"));
        Object reason = body.getValue("reason");
        if (reason != null && (!(reason instanceof String text) || text.length() > 512)) {
            throw HttpFailure.badRequest("reason: expected a string of at most 512 characters");
        }
        respond(ctx, service.setStatus(id, status, (String) reason), i -> new JsonObject().put("instance", i.toJson()));
    }

    private void services(RoutingContext ctx) {
        Map<String, TreeSet<String>> versions = new TreeMap<>();
        Map<String, Map<InstanceStatus, Integer>> counts = new TreeMap<>();
        for (Instance instance : view.instances()) {
            versions.computeIfAbsent(instance.service(), k -> new TreeSet<>()).add(instance.version());
            counts.computeIfAbsent(instance.service(), k -> new EnumMap<>(InstanceStatus.class))
                    .merge(instance.status(), 1, Integer::sum);
        }
        JsonArray list = new JsonArray();
        versions.forEach((name, v) ->
                list.add(new ServiceSummary(name, new ArrayList<>(v), counts.get(name)).toJson()));
        json(ctx, 200, new JsonObject().put("revision", view.revision()).put("services", list));
    }

    /**
     * Prometheus HTTP service discovery ({@code http_sd_configs}): one target group per registered instance,
     * its {@code host:port} and labels {@code service}, {@code version}, {@code instance} (the registry id)
     * and {@code zone}. Every status is listed, so a DOWN instance shows as {@code up == 0} rather than
     * vanishing; the path is {@code /metrics} unless the instance's metadata names another
     * ({@code metrics-path}).
     */
    private void prometheusTargets(RoutingContext ctx) {
        JsonArray groups = new JsonArray();
        for (Instance instance : view.instances()) {
            String host = instance.host().contains(":") ? "[" + instance.host() + "]" : instance.host();
            JsonObject labels = new JsonObject()
                    .put("__metrics_path__", instance.metadata().getOrDefault("metrics-path", "/metrics"))
                    .put("service", instance.service())
                    .put("version", instance.version())
                    .put("instance", instance.id());
            if (instance.zone() != null) {
                labels.put("zone", instance.zone());
            }
            groups.add(new JsonObject().put("targets", new JsonArray().add(host + ":" + instance.port()))
                    .put("labels", labels));
        }
        for (RegistryOptions.PrometheusTarget target : ownTargets) {
            groups.add(new JsonObject().put("targets", new JsonArray().add(target.address()))
                    .put("labels", new JsonObject().put("__metrics_path__", target.metricsPath())
                            .put("service", target.service()).put("instance", target.service())));
        }
        ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(groups.toBuffer());
    }

    private void discover(RoutingContext ctx) {
        String name = InstanceParser.service(ctx.pathParam("name"));
        VersionRange range = InstanceParser.range(ctx.queryParams().get("version"));
        String statusParam = ctx.queryParams().get("status");
        InstanceStatus status = statusParam == null ? null : InstanceParser.status(statusParam);
        Collection<RegistryStore.Stored> all = view.service(name);
        List<Instance> found = new ArrayList<>();
        for (RegistryStore.Stored stored : all) {
            Instance instance = stored.instance();
            if (range.matches(instance.version()) && (status == null || instance.status() == status)) {
                found.add(instance);
            }
        }
        if (all.isEmpty()) {
            throw HttpFailure.notFound("no service named '" + name + "' is registered");
        }
        found.sort(Comparator.comparing(Instance::id));
        JsonArray instances = new JsonArray();
        found.forEach(i -> instances.add(i.toJson()));
        json(ctx, 200, new JsonObject().put("service", name).put("revision", view.revision())
                .put("instances", instances));
    }

    private void watch(RoutingContext ctx) {
        String service = ctx.queryParams().get("service");
        if (service != null) {
            InstanceParser.service(service);
        }
        String lastEventId = ctx.request().getHeader("Last-Event-ID");
        if (lastEventId == null) {
            lastEventId = ctx.queryParams().get("since");
        }
        hub.open(ctx.request(), service, lastEventId);
    }

    private <T> void respond(RoutingContext ctx, Future<T> result, Function<T, JsonObject> body) {
        result.onSuccess(value -> json(ctx, 200, body.apply(value))).onFailure(ctx::fail);
    }

    private static JsonObject leased(Instance instance, long expiresAt) {
        return new JsonObject().put("instance", instance.toJson())
                .put("lease", lease(instance.ttlSeconds(), expiresAt));
    }

    private static JsonObject lease(int ttlSeconds, long expiresAt) {
        return new JsonObject().put("ttlSeconds", ttlSeconds).put("expiresAt", expiresAt);
    }

    private void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof HttpFailure http) {
            error(ctx, http);
        } else if (ctx.statusCode() == 413) {
            error(ctx, new HttpFailure(413, "payload_too_large", "the body is larger than " + maxBodyBytes + " bytes"));
        } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            error(ctx, new HttpFailure(ctx.statusCode(), "bad_request", "the request was refused (HTTP "
                    + ctx.statusCode() + ")"));
        } else {
            log.error("Unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
            error(ctx, new HttpFailure(500, "internal", "the registry failed to handle this request; see its log"));
        }
    }

    private static void error(RoutingContext ctx, HttpFailure failure) {
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        json(ctx, failure.status(), failure.toJson());
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body.toBuffer());
    }
}

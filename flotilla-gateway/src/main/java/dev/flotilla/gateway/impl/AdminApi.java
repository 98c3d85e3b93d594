package dev.flotilla.gateway.impl;

import dev.flotilla.core.balance.Upstream;
import dev.flotilla.core.config.Durations;
import dev.flotilla.core.http.ErrorResponses;
import dev.flotilla.core.http.HttpFailure;
import dev.flotilla.gateway.RouteSpec;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code /admin/routes}, {@code /admin/upstreams} and {@code /metrics}, on the admin port. */
public final class AdminApi implements Handler<HttpServerRequest> {

    private final GatewayState state;
    private final String token;

    public AdminApi(GatewayState state, String token) {
        this.state = state;
        this.token = token;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (token != null && !("Bearer " + token).equals(request.getHeader("Authorization"))) {
            ErrorResponses.send(request, new HttpFailure(401, "unauthorized", "a bearer token is required"), false);
            return;
        }
        if (request.method() != HttpMethod.GET) {
            ErrorResponses.send(request, new HttpFailure(405, "method_not_allowed", "only GET is served here"), false);
            return;
        }
        switch (request.path()) {
            case "/admin/routes" -> json(request, routes());
            case "/admin/upstreams" -> json(request, upstreams());
            case "/metrics" -> request.response().putHeader("Content-Type", "text/plain; version=0.0.4")
                    .end(state.metrics().scrape(state.upstreams().all()));
            default -> ErrorResponses.send(request, HttpFailure.notFound("no admin page at " + request.path()), false);
        }
    }

    private JsonObject routes() {
        JsonArray list = new JsonArray();
        for (CompiledRoute route : state.routes().routes) {
            RouteSpec spec = route.spec;
            JsonObject json = new JsonObject()
                    .put("id", spec.id())
                    .put("path", spec.path())
                    .put("host", spec.host())
                    .put("methods", new JsonArray(spec.methods()))
                    .put("service", spec.service())
                    .put("version", spec.version())
                    .put("forward", spec.stripPrefix() ? "strip-prefix" : spec.rewrite() == null ? "as-is"
                            : "rewrite " + spec.rewrite())
                    .put("timeout", Durations.format(spec.timeout()))
                    .put("retries", spec.retries())
                    .put("loadBalancer", spec.loadBalancer())
                    .put("hashOn", spec.hashOn())
                    .put("maxBodyBytes", route.maxBody)
                    .put("rateLimit", spec.rateLimit() == null ? null : new JsonObject()
                            .put("requestsPerSecond", spec.rateLimit().requestsPerSecond())
                            .put("burst", spec.rateLimit().burst())
                            .put("key", spec.rateLimit().key())
                            .put("shared", spec.rateLimit().shared()))
                    .put("breaker", route.breaker == null ? null : route.breaker.state().name().toLowerCase())
                    .put("instances", route.upstream.endpoints().size());
            list.add(json);
        }
        return new JsonObject().put("routes", list).put("lastReloadError", state.lastError());
    }

    private JsonObject upstreams() {
        JsonArray list = new JsonArray();
        for (Upstream upstream : state.upstreams().all()) {
            list.add(upstream.describe());
        }
        JsonObject breakers = new JsonObject();
        for (CompiledRoute route : state.routes().routes) {
            if (route.breaker != null) {
                breakers.put(route.spec.id(), new JsonObject()
                        .put("state", route.breaker.state().name().toLowerCase())
                        .put("timesOpened", route.breaker.timesOpened()));
            }
        }
        return new JsonObject().put("upstreams", list).put("breakers", breakers);
    }

    private static void json(HttpServerRequest request, JsonObject body) {
        request.response().putHeader("Content-Type", "application/json").end(body.encodePrettily());
    }
}

package dev.flotilla.gateway.impl;

import dev.flotilla.core.balance.Upstreams;
import dev.flotilla.core.config.ConfigException;
import dev.flotilla.gateway.RouteSpec;
import dev.flotilla.gateway.RouteStatus;
import dev.flotilla.gateway.RoutesConfig;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What every event loop of a gateway shares: the route table in force, the upstreams, metrics. */
public final class GatewayState {

    private final Upstreams upstreams;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final Redis redis;
    private final String redisPrefix;
    private volatile RouteTable routes = RouteTable.EMPTY;
    private volatile String lastError;

    public GatewayState(Upstreams upstreams, Redis redis, String redisPrefix) {
        this.upstreams = upstreams;
        this.redis = redis;
        this.redisPrefix = redisPrefix;
    }

    RouteTable routes() {
        return routes;
    }

    Upstreams upstreams() {
        return upstreams;
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    /** Why the last reload was refused, or null when the routes in force are the newest. */
    String lastError() {
        return lastError;
    }

    void refused(String error) {
        lastError = error;
    }

    /** Every route in force as it stands now. */
    public List<RouteStatus> status() {
        List<RouteStatus> list = new ArrayList<>();
        for (CompiledRoute route : routes.routes) {
            RouteMetrics.Totals totals = route.metrics.totals();
            RouteSpec spec = route.spec;
            list.add(new RouteStatus(spec.id(), spec.path(), spec.service(),
                    route.breaker == null ? null : route.breaker.state().name().toLowerCase(Locale.ROOT),
                    totals.requests(), totals.serverErrors(), totals.bucketSeconds(), totals.bucketCounts(),
                    route.upstream.describe().getJsonArray("instances")));
        }
        return list;
    }

    /** Builds a table from {@code config} and puts it in force; on error the old one stays. */
    public void install(RoutesConfig config) {
        List<CompiledRoute> compiled = new ArrayList<>();
        for (RouteSpec spec : config.routes()) {
            compiled.add(new CompiledRoute(spec, upstreams, rateLimiter(spec),
                    metrics.forRoute(spec.id(), spec.service())));
        }
        routes = new RouteTable(compiled);
        lastError = null;
    }

    private RateLimiter rateLimiter(RouteSpec spec) {
        RouteSpec.RateLimit limit = spec.rateLimit();
        if (limit == null) {
            return null;
        }
        if (!limit.shared()) {
            return new LocalRateLimiter(limit.requestsPerSecond(), limit.burst());
        }
        if (redis == null) {
            throw new ConfigException("route '" + spec.id() + "': rate-limit.shared needs Redis (--redis URL)");
        }
        return new RedisRateLimiter(redis, redisPrefix + "ratelimit:" + spec.id() + ":",
                limit.requestsPerSecond(), limit.burst());
    }
}

package dev.flotilla.gateway.impl;

import dev.flotilla.core.balance.Endpoint;
import dev.flotilla.core.balance.Strategy;
import dev.flotilla.core.balance.Upstream;
import dev.flotilla.core.balance.Upstreams;
import dev.flotilla.core.resilience.CircuitBreaker;
import dev.flotilla.core.resilience.ResilientCaller;
import dev.flotilla.core.resilience.RetryPolicy;
import dev.flotilla.core.version.VersionRange;
import dev.flotilla.gateway.RouteSpec;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;
import java.util.Set;

/**
 * A route ready to serve: its matcher, its resilient caller (upstream, breaker, retry budget) and rate
 * limiter. Immutable after creation.
 */
final class CompiledRoute {

    /** How a route's path matches. */
    enum Kind { EXACT, PREFIX, SUBTREE }

    final RouteSpec spec;
    final Kind kind;
    /** The literal part of the path: all of it (EXACT, PREFIX) or the part before {@code /**} (SUBTREE). */
    final String literal;
    final String host;
    final Set<String> methods;
    final Strategy strategy;
    final Upstream upstream;
    final CircuitBreaker breaker;
    final ResilientCaller caller;
    final RetryPolicy retries;
    final RateLimiter rateLimiter;
    final long timeoutMs;
    final long connectTimeoutMs;
    /** The first-byte limit of an attempt that may be retried: the attempt timeout, or the timeout. */
    final long retryableAttemptTimeoutMs;
    final long maxBody;
    final RouteMetrics metrics;

    CompiledRoute(RouteSpec spec, Upstreams upstreams, RateLimiter rateLimiter, RouteMetrics metrics) {
        this.spec = spec;
        String path = spec.path();
        if (path.endsWith("/**")) {
            kind = Kind.SUBTREE;
            literal = path.substring(0, path.length() - 3);
        } else if (path.endsWith("/") && path.length() > 1) {
            kind = Kind.PREFIX;
            literal = path;
        } else {
            kind = Kind.EXACT;
            literal = path;
        }
        host = spec.host() == null ? null : spec.host().toLowerCase(Locale.ROOT);
        methods = Set.copyOf(spec.methods());
        strategy = spec.strategy();
        upstream = upstreams.get(spec.service(), VersionRange.parse(spec.version()), spec.outlier().policy());
        breaker = spec.breaker() == null ? null : new CircuitBreaker(spec.breaker().policy());
        caller = new ResilientCaller(upstream, breaker, spec.outlier().count5xx());
        retries = RetryPolicy.safeRetries(spec.retries());
        this.rateLimiter = rateLimiter;
        timeoutMs = spec.timeout().toMillis();
        connectTimeoutMs = spec.connectTimeout().toMillis();
        long attempt = spec.attemptTimeout().toMillis();
        retryableAttemptTimeoutMs = attempt == 0 ? timeoutMs : Math.min(attempt, timeoutMs);
        maxBody = spec.maxBody().bytes();
        this.metrics = metrics;
        metrics.breaker(breaker);
    }

    boolean matchesPath(String path) {
        switch (kind) {
            case EXACT:
                return path.equals(literal);
            case PREFIX:
                return path.startsWith(literal);
            case SUBTREE:
            default:
                return literal.isEmpty() || path.startsWith(literal)
                        && (path.length() == literal.length() || path.charAt(literal.length()) == '/');
        }
    }

    boolean matchesHost(String requestHost) {
        return host == null || host.equals(requestHost);
    }

    boolean allows(String method) {
        return methods.isEmpty() || methods.contains(method);
    }

    /** Orders routes from most to least specific: longer literal, then exact before prefix, host, methods. */
    int specificity() {
        int score = literal.length() * 16;
        score += kind == Kind.EXACT ? 8 : kind == Kind.PREFIX ? 4 : 0;
        score += host != null ? 2 : 0;
        score += methods.isEmpty() ? 0 : 1;
        return score;
    }

    /** The path to send upstream for a (normalized) request path, after strip-prefix or rewrite. */
    String forwardPath(String path) {
        if (kind == Kind.EXACT && !spec.stripPrefix() && spec.rewrite() == null) {
            return path;
        }
        String base = kind == Kind.PREFIX ? literal.substring(0, literal.length() - 1) : literal;
        if (spec.stripPrefix()) {
            String rest = path.substring(Math.min(base.length(), path.length()));
            return rest.isEmpty() ? "/" : rest.charAt(0) == '/' ? rest : "/" + rest;
        }
        if (spec.rewrite() != null) {
            String rest = path.substring(Math.min(base.length(), path.length()));
            String target = spec.rewrite().endsWith("/") && rest.startsWith("/")
                    ? spec.rewrite() + rest.substring(1) : spec.rewrite() + rest;
            return target.isEmpty() ? "/" : target;
        }
        return path;
    }

    /** The instance token in the request's sticky cookie, or null when the route is not sticky or has none. */
    String stickyToken(HttpServerRequest request) {
        return spec.stickyCookie() == null ? null : cookie(request, spec.stickyCookie());
    }

    /**
     * Pins the client to the instance that answered, when the route is sticky and the client's cookie names
     * another (or none): HttpOnly, for the whole site, sent on top-level navigations too (Lax).
     */
    void stick(String requestToken, MultiMap responseHeaders, Endpoint answered) {
        if (spec.stickyCookie() != null && !answered.stickyToken().equals(requestToken)) {
            responseHeaders.add("Set-Cookie", spec.stickyCookie() + "=" + answered.stickyToken()
                    + "; Path=/; HttpOnly; SameSite=Lax");
        }
    }

    private static String cookie(HttpServerRequest request, String name) {
        String cookieHeader = request.getHeader("Cookie");
        if (cookieHeader == null) {
            return null;
        }
        for (Cookie cookie : ServerCookieDecoder.LAX.decode(cookieHeader)) {
            if (cookie.name().equals(name)) {
                return cookie.value();
            }
        }
        return null;
    }

    /** The consistent-hash key of a request, or null when the route does not hash or the key is absent. */
    String hashKey(HttpServerRequest request) {
        String hashOn = spec.hashOn();
        if (hashOn == null) {
            return null;
        }
        if (hashOn.equals("client-address")) {
            return request.remoteAddress().hostAddress();
        }
        if (hashOn.startsWith("header:")) {
            return request.getHeader(hashOn.substring(7));
        }
        return cookie(request, hashOn.substring(7));
    }
}

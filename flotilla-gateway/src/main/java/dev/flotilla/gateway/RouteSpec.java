package dev.flotilla.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flotilla.core.balance.OutlierPolicy;
import dev.flotilla.core.balance.Strategy;
import dev.flotilla.core.config.ByteSize;
import dev.flotilla.core.config.Durations;
import dev.flotilla.core.resilience.BreakerPolicy;
import dev.flotilla.core.version.VersionRange;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One route as written in the routes file. Absent keys take the defaults documented on each field;
 * every value is checked here, so a route that exists is a route that works.
 *
 * @param id            a name for metrics and admin pages (default: the path)
 * @param path          {@code /exact}, {@code /prefix/} (nginx-style prefix) or {@code /base/**} (the base and
 *                      everything under it)
 * @param host          only requests for this Host (port ignored); default any
 * @param methods       only these methods; default any
 * @param service       the target service name (required)
 * @param version       an npm-style version range (default any)
 * @param stripPrefix   remove the path's literal part before forwarding (default false)
 * @param rewrite       replace the path's literal part with this before forwarding
 * @param timeout       how long the upstream may stay silent, per attempt (default 30s)
 * @param connectTimeout how long connecting may take (default 2s)
 * @param attemptTimeout how long an idempotent request without a body waits for the head of an answer
 *                      before it is abandoned (counted against the instance) and tried on another instance
 *                      (default 2s; {@code 0s} waits the whole {@code timeout}); other requests wait
 *                      {@code timeout}
 * @param retries       further attempts on other instances (default 2), see core's {@code ResilientCaller}
 * @param loadBalancer  {@code round-robin} (default), {@code weighted-round-robin}, {@code least-requests},
 *                      {@code consistent-hash}
 * @param hashOn        the consistent-hash key: {@code header:NAME}, {@code cookie:NAME} or {@code client-address}
 * @param stickyCookie  pins each client to the instance that first answered it, through a cookie of this name
 *                      that the gateway sets (nginx's {@code sticky cookie}): its requests go there while it is
 *                      healthy, elsewhere (and the cookie follows) when it is not. Socket.IO's long-polling
 *                      needs it. Default none
 * @param breaker       a circuit breaker for this route; absent means none
 * @param fallback      what to answer while the breaker is open or no instance is healthy (degradation)
 * @param rateLimit     a token bucket per client address or header
 * @param maxBody       the largest request body (default 10MB); larger ones get 413
 * @param cors          CORS answers for browsers; absent means the gateway adds no CORS headers
 * @param requestHeaders  headers added to / removed from the request sent upstream
 * @param responseHeaders headers added to / removed from the response sent to the client
 * @param outlier       when instances are ejected; {@code count-5xx} makes 5xx answers count as failures
 */
public record RouteSpec(
        String id,
        String path,
        String host,
        List<String> methods,
        String service,
        String version,
        boolean stripPrefix,
        String rewrite,
        Duration timeout,
        Duration connectTimeout,
        Duration attemptTimeout,
        Integer retries,
        String loadBalancer,
        String hashOn,
        String stickyCookie,
        Breaker breaker,
        Fallback fallback,
        RateLimit rateLimit,
        ByteSize maxBody,
        Cors cors,
        HeaderRules requestHeaders,
        HeaderRules responseHeaders,
        Outlier outlier) {

    /** An HTTP field name (RFC 9110 token). */
    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE");

    public RouteSpec {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path: " + (path == null ? "missing" : "'" + path + "'")
                    + " (expected a path starting with /, e.g. /api/users/**)");
        }
        if (path.contains("*") && !(path.endsWith("/**") && path.indexOf('*') == path.length() - 2)) {
            throw new IllegalArgumentException("path: '" + path + "': '**' is only allowed as the last segment");
        }
        if (service == null || service.isBlank()) {
            throw new IllegalArgumentException("service: missing (the service this route sends to)");
        }
        version = version == null ? "*" : version;
        VersionRange.parse(version);
        id = id == null ? path : id;
        methods = methods == null ? List.of() : methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
        for (String method : methods) {
            if (!METHODS.contains(method)) {
                throw new IllegalArgumentException("methods: '" + method + "' is not an HTTP method");
            }
        }
        if (rewrite != null && (stripPrefix || !rewrite.startsWith("/"))) {
            throw new IllegalArgumentException("rewrite: '" + rewrite
                    + "' (expected a path starting with /, and not together with strip-prefix)");
        }
        timeout = positive("timeout", timeout, Duration.ofSeconds(30));
        connectTimeout = positive("connect-timeout", connectTimeout, Duration.ofSeconds(2));
        attemptTimeout = attemptTimeout == null ? Duration.ofSeconds(2) : attemptTimeout;
        if (attemptTimeout.isNegative()) {
            throw new IllegalArgumentException("attempt-timeout: " + Durations.format(attemptTimeout)
                    + " (expected: >= 0; 0s waits the whole timeout)");
        }
        retries = retries == null ? 2 : retries;
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("retries: " + retries + " (expected: 0..10)");
        }
        Strategy strategy = loadBalancer == null ? Strategy.ROUND_ROBIN : Strategy.parse(loadBalancer);
        loadBalancer = strategy.wireName();
        if (strategy == Strategy.CONSISTENT_HASH && hashOn == null) {
            throw new IllegalArgumentException("hash-on: required with consistent-hash "
                    + "(header:NAME, cookie:NAME or client-address)");
        }
        if (hashOn != null && !hashOn.equals("client-address") && !hashOn.matches("(header|cookie):" + TOKEN)) {
            throw new IllegalArgumentException("hash-on: '" + hashOn
                    + "' (expected header:NAME, cookie:NAME or client-address)");
        }
        if (stickyCookie != null && !stickyCookie.matches(TOKEN)) {
            throw new IllegalArgumentException("sticky-cookie: '" + stickyCookie + "' (expected a cookie name)");
        }
        maxBody = maxBody == null ? new ByteSize(10L << 20) : maxBody;
        requestHeaders = requestHeaders == null ? HeaderRules.NONE : requestHeaders;
        responseHeaders = responseHeaders == null ? HeaderRules.NONE : responseHeaders;
        outlier = outlier == null ? Outlier.DEFAULT : outlier;
    }

    public Strategy strategy() {
        return Strategy.parse(loadBalancer);
    }

    private static Duration positive(String key, Duration value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(key + ": " + Durations.format(value) + " (expected: > 0)");
        }
        return value;
    }

    /** A circuit breaker; see core's {@link BreakerPolicy} for what each value does. */
    public record Breaker(Integer failureRate, Integer minimumRequests, Duration window, Duration openFor,
            Integer halfOpenRequests) {

        public BreakerPolicy policy() {
            BreakerPolicy d = BreakerPolicy.DEFAULT;
            return new BreakerPolicy(
                    failureRate == null ? d.failureRatePercent() : failureRate,
                    minimumRequests == null ? d.minimumRequests() : minimumRequests,
                    window == null ? d.windowMs() : window.toMillis(),
                    openFor == null ? d.openMs() : openFor.toMillis(),
                    halfOpenRequests == null ? d.halfOpenRequests() : halfOpenRequests);
        }

        public Breaker {
            policy(); // validates
        }
    }

    /** A canned answer for degraded operation. */
    public record Fallback(Integer status, String body, String contentType) {
        public Fallback {
            status = status == null ? 200 : status;
            if (status < 200 || status > 599) {
                throw new IllegalArgumentException("fallback status: " + status + " (expected: 200..599)");
            }
            body = body == null ? "" : body;
            contentType = contentType == null ? "application/json" : contentType;
        }
    }

    /**
     * A token bucket: {@code requests-per-second} on average, bursts up to {@code burst}, counted per
     * {@code key} ({@code client-address}, the default, or {@code header:NAME}); {@code shared} keeps the
     * buckets in Redis so that every gateway counts together.
     */
    public record RateLimit(Double requestsPerSecond, Integer burst, String key, boolean shared) {
        public RateLimit {
            if (requestsPerSecond == null || requestsPerSecond <= 0) {
                throw new IllegalArgumentException("rate-limit.requests-per-second: "
                        + requestsPerSecond + " (expected: > 0)");
            }
            burst = burst == null ? (int) Math.max(1, Math.ceil(requestsPerSecond)) : burst;
            if (burst < 1) {
                throw new IllegalArgumentException("rate-limit.burst: " + burst + " (expected: >= 1)");
            }
            key = key == null ? "client-address" : key;
            if (!key.equals("client-address") && !key.matches("header:" + TOKEN)) {
                throw new IllegalArgumentException("rate-limit.key: '" + key
                        + "' (expected client-address or header:NAME)");
            }
        }
    }

    /** CORS for browsers: which origins, methods and headers are allowed, and how long preflights are cached. */
    public record Cors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
            List<String> exposeHeaders, boolean allowCredentials, Duration maxAge) {
        public Cors {
            allowOrigins = allowOrigins == null ? List.of("*") : List.copyOf(allowOrigins);
            allowMethods = allowMethods == null ? List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
                    : List.copyOf(allowMethods);
            allowHeaders = allowHeaders == null ? List.of() : List.copyOf(allowHeaders);
            exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
            maxAge = maxAge == null ? Duration.ofMinutes(10) : maxAge;
            if (allowCredentials && allowOrigins.contains("*")) {
                throw new IllegalArgumentException("cors: allow-credentials needs explicit allow-origins, not '*'");
            }
        }
    }

    /** Headers to add (appended to any already there) and to remove, by name. */
    public record HeaderRules(Map<String, String> add, List<String> remove) {
        public static final HeaderRules NONE = new HeaderRules(Map.of(), List.of());

        public HeaderRules {
            add = add == null ? Map.of() : Map.copyOf(add);
            remove = remove == null ? List.of() : List.copyOf(remove);
        }
    }

    /** Outlier detection; see core's {@link OutlierPolicy}. */
    public record Outlier(Integer consecutiveFailures, Duration baseEjection, Duration maxEjection,
            Integer maxEjectedPercent, @JsonProperty("count-5xx") boolean count5xx) {
        public static final Outlier DEFAULT = new Outlier(null, null, null, null, false);

        public Outlier {
            policyOf(consecutiveFailures, baseEjection, maxEjection, maxEjectedPercent);
        }

        public OutlierPolicy policy() {
            return policyOf(consecutiveFailures, baseEjection, maxEjection, maxEjectedPercent);
        }

        private static OutlierPolicy policyOf(Integer failures, Duration base, Duration max, Integer percent) {
            OutlierPolicy d = OutlierPolicy.DEFAULT;
            return new OutlierPolicy(
                    failures == null ? d.consecutiveFailures() : failures,
                    base == null ? d.baseEjectionMs() : base.toMillis(),
                    max == null ? Math.max(d.maxEjectionMs(), base == null ? 0 : base.toMillis()) : max.toMillis(),
                    percent == null ? d.maxEjectedPercent() : percent);
        }
    }
}

package dev.flotilla.service;

import dev.flotilla.core.balance.Strategy;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * One call to another service: which service and versions, what to send, and how patient to be.
 * Mutable builder; give it to {@link ServiceClient#send}. Sent while a request is handled, it belongs to that
 * request's trace without being told.
 */
public final class ServiceRequest {

    private final String service;
    private final HttpMethod method;
    private final String path;
    private String version = "*";
    private Buffer body;
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    private Duration timeout;
    private Integer retries;
    private Strategy strategy = Strategy.ROUND_ROBIN;
    private String hashKey;
    private Function<Throwable, ServiceResponse> fallback;

    private ServiceRequest(HttpMethod method, String service, String path) {
        this.method = Objects.requireNonNull(method, "method");
        this.service = Objects.requireNonNull(service, "service");
        this.path = Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: '" + path + "' (expected a path starting with /)");
        }
    }

    public static ServiceRequest get(String service, String path) {
        return new ServiceRequest(HttpMethod.GET, service, path);
    }

    public static ServiceRequest post(String service, String path, JsonObject json) {
        return new ServiceRequest(HttpMethod.POST, service, path).json(json);
    }

    public static ServiceRequest of(HttpMethod method, String service, String path) {
        return new ServiceRequest(method, service, path);
    }

    /** An npm-style version range the answering instance must match (default any). */
    public ServiceRequest version(String range) {
        this.version = Objects.requireNonNull(range, "range");
        return this;
    }

    public ServiceRequest json(JsonObject json) {
        headers.set("Content-Type", "application/json");
        this.body = json.toBuffer();
        return this;
    }

    public ServiceRequest body(Buffer body, String contentType) {
        headers.set("Content-Type", contentType);
        this.body = body;
        return this;
    }

    public ServiceRequest header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    /** How long one attempt may wait for the whole answer (default: the client's). */
    public ServiceRequest timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** Further attempts on other instances, when safe (default: the client's). */
    public ServiceRequest retries(int retries) {
        this.retries = retries;
        return this;
    }

    public ServiceRequest strategy(Strategy strategy) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    /** The key for {@link Strategy#CONSISTENT_HASH}: the same key reaches the same instance. */
    public ServiceRequest hashKey(String key) {
        this.hashKey = key;
        return this;
    }

    /** What to answer instead when the call fails or the breaker is open (degradation). */
    public ServiceRequest fallback(Function<Throwable, ServiceResponse> fallback) {
        this.fallback = fallback;
        return this;
    }

    // Read by the client.

    public String service() {
        return service;
    }

    public HttpMethod method() {
        return method;
    }

    public String path() {
        return path;
    }

    public String version() {
        return version;
    }

    public Buffer body() {
        return body;
    }

    public MultiMap headers() {
        return headers;
    }

    public Duration timeout() {
        return timeout;
    }

    public Integer retries() {
        return retries;
    }

    public Strategy strategy() {
        return strategy;
    }

    public String hashKey() {
        return hashKey;
    }

    public Function<Throwable, ServiceResponse> fallback() {
        return fallback;
    }
}

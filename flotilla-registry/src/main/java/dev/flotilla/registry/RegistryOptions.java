package dev.flotilla.registry;

import java.time.Clock;
import java.util.List;
import java.util.Objects;

/** How to run a registry. Mutable options object; {@link RegistryServer#start} copies what it needs. */
public final class RegistryOptions {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;
    public static final String DEFAULT_REDIS_PREFIX = "flotilla:registry";
    /** Instances one registry (or one Redis keyspace) holds at most. */
    public static final int DEFAULT_MAX_INSTANCES = 10_000;
    /** Watch streams open at once, at most. */
    public static final int DEFAULT_MAX_WATCHERS = 10_000;
    public static final int DEFAULT_MAX_WATCHERS_PER_ADDRESS = 64;
    /** Recent events kept so that watchers can resume; older gaps get a fresh snapshot. */
    public static final int DEFAULT_HISTORY_SIZE = 10_000;
    /** Largest request body accepted. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    /** How often leases are checked for expiry. */
    public static final long DEFAULT_LEASE_CHECK_MS = 200;
    /** How often a watch stream gets a keep-alive comment. */
    public static final long DEFAULT_KEEPALIVE_MS = 5_000;

    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private String redisUrl;
    private String redisPrefix = DEFAULT_REDIS_PREFIX;
    private String token;
    private HealthCheckConfig healthCheck = HealthCheckConfig.ofDefaults();
    private int maxInstances = DEFAULT_MAX_INSTANCES;
    private int maxWatchers = DEFAULT_MAX_WATCHERS;
    private int maxWatchersPerAddress = DEFAULT_MAX_WATCHERS_PER_ADDRESS;
    private int historySize = DEFAULT_HISTORY_SIZE;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private long leaseCheckMs = DEFAULT_LEASE_CHECK_MS;
    private long keepAliveMs = DEFAULT_KEEPALIVE_MS;
    private Clock clock = Clock.systemUTC();
    private List<PrometheusTarget> prometheusTargets = List.of();

    public String getHost() {
        return host;
    }

    public RegistryOptions setHost(String host) {
        this.host = Objects.requireNonNull(host, "host");
        return this;
    }

    public int getPort() {
        return port;
    }

    /** The port to listen on; 0 picks a free one. */
    public RegistryOptions setPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
        this.port = port;
        return this;
    }

    public String getRedisUrl() {
        return redisUrl;
    }

    /** A {@code redis://} URL: share state with every registry using the same Redis and prefix. Null: in memory. */
    public RegistryOptions setRedisUrl(String redisUrl) {
        if (redisUrl != null && !redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")
                && !redisUrl.startsWith("unix://")) {
            throw new IllegalArgumentException("redis: '" + redisUrl + "' (expected: redis://HOST:PORT)");
        }
        this.redisUrl = redisUrl;
        return this;
    }

    public String getRedisPrefix() {
        return redisPrefix;
    }

    /** The prefix of every Redis key; registries with different prefixes share nothing. */
    public RegistryOptions setRedisPrefix(String redisPrefix) {
        if (redisPrefix == null || redisPrefix.isBlank()) {
            throw new IllegalArgumentException("redisPrefix: '" + redisPrefix + "' (expected: not blank)");
        }
        this.redisPrefix = redisPrefix;
        return this;
    }

    public String getToken() {
        return token;
    }

    /** The shared secret every write must present as {@code Authorization: Bearer TOKEN}. */
    public RegistryOptions setToken(String token) {
        this.token = token == null || token.isEmpty() ? null : token;
        return this;
    }

    public HealthCheckConfig getHealthCheck() {
        return healthCheck;
    }

    public RegistryOptions setHealthCheck(HealthCheckConfig healthCheck) {
        this.healthCheck = Objects.requireNonNull(healthCheck, "healthCheck");
        return this;
    }

    public int getMaxInstances() {
        return maxInstances;
    }

    public RegistryOptions setMaxInstances(int maxInstances) {
        this.maxInstances = positive("maxInstances", maxInstances);
        return this;
    }

    public int getMaxWatchers() {
        return maxWatchers;
    }

    public RegistryOptions setMaxWatchers(int maxWatchers) {
        this.maxWatchers = positive("maxWatchers", maxWatchers);
        return this;
    }

    /** Watch streams one client address may hold open (default 64): one host cannot take them all. */
    public int getMaxWatchersPerAddress() {
        return maxWatchersPerAddress;
    }

    public RegistryOptions setMaxWatchersPerAddress(int maxWatchersPerAddress) {
        this.maxWatchersPerAddress = positive("maxWatchersPerAddress", maxWatchersPerAddress);
        return this;
    }

    public int getHistorySize() {
        return historySize;
    }

    public RegistryOptions setHistorySize(int historySize) {
        this.historySize = positive("historySize", historySize);
        return this;
    }

    public int getMaxBodyBytes() {
        return maxBodyBytes;
    }

    public RegistryOptions setMaxBodyBytes(int maxBodyBytes) {
        this.maxBodyBytes = positive("maxBodyBytes", maxBodyBytes);
        return this;
    }

    public long getLeaseCheckMs() {
        return leaseCheckMs;
    }

    public RegistryOptions setLeaseCheckMs(long leaseCheckMs) {
        this.leaseCheckMs = positive("leaseCheckMs", leaseCheckMs);
        return this;
    }

    public long getKeepAliveMs() {
        return keepAliveMs;
    }

    public RegistryOptions setKeepAliveMs(long keepAliveMs) {
        this.keepAliveMs = positive("keepAliveMs", keepAliveMs);
        return this;
    }

    public Clock getClock() {
        return clock;
    }

    /** The clock for leases and timestamps (tests may pass their own). */
    public RegistryOptions setClock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    public List<PrometheusTarget> getPrometheusTargets() {
        return prometheusTargets;
    }

    /**
     * Metrics endpoints that are not registered instances (the control plane's own: the registry, the
     * gateway's admin port, the supervisor), listed by {@code GET /v1/prometheus/targets} after the instances.
     */
    public RegistryOptions setPrometheusTargets(List<PrometheusTarget> targets) {
        this.prometheusTargets = List.copyOf(targets);
        return this;
    }

    /** One metrics endpoint for Prometheus: {@code host:port}, its path, and its {@code service} label. */
    public record PrometheusTarget(String address, String metricsPath, String service) {
    }

    private static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    private static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }
}

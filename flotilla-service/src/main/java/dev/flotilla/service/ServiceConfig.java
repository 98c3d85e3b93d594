package dev.flotilla.service;

import dev.flotilla.core.trace.TraceSettings;
import java.time.Duration;
import java.util.Map;

/**
 * Where a service listens and what it talks to, read from the environment docs/architecture.md gives every
 * instance ({@code PORT}, {@code FLOTILLA_REGISTRY}, {@code FLOTILLA_REDIS}, {@code FLOTILLA_INSTANCE},
 * {@code FLOTILLA_TOKEN}, plus {@code FLOTILLA_REUSE_PORT} and {@code HOST}); the builder's setters override it.
 *
 * @param host         address to listen on (default 127.0.0.1)
 * @param port         port to listen on; 0 picks a free one (default 3000, as Express examples do)
 * @param registryUrl  the registry; null means the service runs alone, unregistered
 * @param redisUrl     Redis for shared state; null when not configured
 * @param instanceId   this instance's id in the registry (default NAME-PID)
 * @param token        the registry's token for writes
 * @param reusePort    listen with SO_REUSEPORT so several processes share the port (Node's cluster); each
 *                     instance then also listens on a port of its own, which it registers, so that health
 *                     checks and the gateway reach this very process and never a sibling or one draining
 * @param drainTimeout how long in-flight requests may take to finish after SIGTERM (default 10 s)
 * @param bodyLimit    the largest request body read, in bytes (default 1 MB)
 * @param drainGrace   after SIGTERM, how long the DRAINING status has to reach the registry's watchers (the
 *                     gateways, {@code ServiceClient}s) before the instance deregisters and stops accepting:
 *                     they stop sending it new requests within milliseconds of the change, so this is short.
 *                     {@code FLOTILLA_DRAIN_GRACE} in ms; default 250 ms, none when running alone
 * @param traces       where spans go and how many are kept ({@code FLOTILLA_TRACES}, {@code FLOTILLA_OTLP},
 *                     {@code FLOTILLA_TRACE_SAMPLE}, {@code FLOTILLA_TRACING}: {@link TraceSettings})
 */
public record ServiceConfig(String host, int port, String registryUrl, String redisUrl, String instanceId,
        String token, boolean reusePort, Duration drainTimeout, long bodyLimit, Duration drainGrace,
        TraceSettings traces) {

    /** The configuration the environment gives, with defaults for what it leaves out. */
    public static ServiceConfig fromEnvironment(String serviceName, Map<String, String> env) {
        String port = env.getOrDefault("PORT", "3000");
        int parsedPort;
        try {
            parsedPort = Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PORT: '" + port + "' is not a port number");
        }
        if (parsedPort < 0 || parsedPort > 65535) {
            throw new IllegalArgumentException("PORT: " + parsedPort + " (expected: 0..65535)");
        }
        return new ServiceConfig(
                env.getOrDefault("HOST", "127.0.0.1"),
                parsedPort,
                blankToNull(env.get("FLOTILLA_REGISTRY")),
                blankToNull(env.get("FLOTILLA_REDIS")),
                env.getOrDefault("FLOTILLA_INSTANCE", serviceName + "-" + ProcessHandle.current().pid()),
                blankToNull(env.get("FLOTILLA_TOKEN")),
                "true".equalsIgnoreCase(env.get("FLOTILLA_REUSE_PORT")),
                Duration.ofSeconds(10),
                1L << 20,
                Duration.ofMillis(milliseconds(env, "FLOTILLA_DRAIN_GRACE", 250)),
                TraceSettings.from(env));
    }

    public ServiceConfig withPort(int newPort) {
        return new ServiceConfig(host, newPort, registryUrl, redisUrl, instanceId, token, reusePort, drainTimeout,
                bodyLimit, drainGrace, traces);
    }

    public ServiceConfig withRedisUrl(String newRedisUrl) {
        return new ServiceConfig(host, port, registryUrl, newRedisUrl, instanceId, token, reusePort, drainTimeout,
                bodyLimit, drainGrace, traces);
    }

    public ServiceConfig withInstanceId(String newInstanceId) {
        return new ServiceConfig(host, port, registryUrl, redisUrl, newInstanceId, token, reusePort, drainTimeout,
                bodyLimit, drainGrace, traces);
    }

    public ServiceConfig withRegistryUrl(String newRegistryUrl) {
        return new ServiceConfig(host, port, newRegistryUrl, redisUrl, instanceId, token, reusePort, drainTimeout,
                bodyLimit, drainGrace, traces);
    }

    public ServiceConfig withDrain(Duration newDrainTimeout, Duration newDrainGrace) {
        return new ServiceConfig(host, port, registryUrl, redisUrl, instanceId, token, reusePort, newDrainTimeout,
                bodyLimit, newDrainGrace, traces);
    }

    public ServiceConfig withTraces(TraceSettings newTraces) {
        return new ServiceConfig(host, port, registryUrl, redisUrl, instanceId, token, reusePort, drainTimeout,
                bodyLimit, drainGrace, newTraces);
    }

    private static long milliseconds(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long ms = Long.parseLong(value.trim());
            if (ms >= 0) {
                return ms;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": '" + value + "' (expected milliseconds, >= 0)");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}

package dev.flotilla.service;

import dev.flotilla.service.shared.SharedMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.function.Supplier;

/** What a service's route handlers can use besides the request: its identity, clients, configuration. */
public interface ServiceContext {

    Vertx vertx();

    String name();

    String version();

    /** This instance's id ({@code FLOTILLA_INSTANCE}). */
    String instanceId();

    ServiceConfig config();

    /** Calls to other services; fails when no registry is configured. */
    ServiceClient client();

    /** A Redis client on {@code FLOTILLA_REDIS}; fails when none is configured. */
    Redis redis();

    /**
     * Shared map {@code name} on {@code FLOTILLA_REDIS}, the same object for every caller in this process;
     * opened on first use, its near cache filling in the background. Fails when no Redis is configured.
     */
    SharedMap shared(String name);

    /**
     * Runs {@code hook} when the service shuts down, after it has left the registry and before its HTTP
     * servers stop: the place to close long-lived connections (WebSockets) that would otherwise hold the drain
     * up. Hooks run together; shutdown goes on when all are done.
     */
    void onClose(Supplier<Future<?>> hook);
}

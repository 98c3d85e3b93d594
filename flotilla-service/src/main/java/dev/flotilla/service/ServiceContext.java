package dev.flotilla.service;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

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
}

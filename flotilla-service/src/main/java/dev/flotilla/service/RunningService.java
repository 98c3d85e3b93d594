package dev.flotilla.service;

import io.vertx.core.Future;

/** A started service instance. */
public interface RunningService extends ServiceContext {

    /** The port it listens on. */
    int port();

    /** {@code http://HOST:PORT}. */
    String url();

    /**
     * Shuts down gracefully: DRAINING in the registry (gateways stop sending), deregistered, the port
     * closed, in-flight requests finished within the drain timeout, then everything closed.
     */
    Future<Void> close();
}

package dev.flotilla.core.registry;

import io.vertx.core.Future;

/**
 * A live registration: the client renews its lease on a timer (every third of its TTL) and registers
 * again by itself when the registry has forgotten it (after a registry restart or a lease expiry).
 */
public interface Registration {

    /** The instance as the registry last stored it. */
    Instance instance();

    /** Sets this instance's status (e.g. UP when ready, DRAINING before stopping). */
    Future<Instance> status(InstanceStatus status);

    /** Stops renewing and removes the instance from the registry. Idempotent. */
    Future<Void> deregister();
}

package dev.flotilla.messaging;

import io.vertx.core.Future;

/** A running consumer. */
public interface Subscription {

    /** Stops taking messages; messages being handled finish first. */
    Future<Void> cancel();
}
